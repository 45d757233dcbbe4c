import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from market.catalog.models import (
    Attribute,
    AttributeValue,
    Category,
    Product,
    ProductStatus,
    ProductVariant,
)
from market.core.models import ExchangeRate
from market.core.money import to_minor_units
from market.sellers.models import Discipline, Seller, SellerStatus


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.User"
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    is_email_verified = True
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def permissions(obj, create, extracted, **kwargs):
        """``StaffFactory(permissions=["sellers.manage_sellers"])``."""
        from django.contrib.auth.models import Permission

        for dotted in extracted or ():
            app_label, codename = dotted.split(".")
            obj.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller

    name = factory.Sequence(lambda n: f"Studio {n}")
    slug = factory.Sequence(lambda n: f"studio-{n}")
    bio = "Hand-made in Baku."
    discipline = Discipline.CRAFTS
    city = "Baku"
    country = "AZ"
    status = SellerStatus.APPROVED


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class AttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attribute
        django_get_or_create = ["slug"]

    name = "Material"
    slug = "material"


class AttributeValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttributeValue

    attribute = factory.SubFactory(AttributeFactory)
    name = factory.Sequence(lambda n: f"Value {n}")
    slug = factory.Sequence(lambda n: f"value-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    seller = factory.SubFactory(SellerFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = "A thing made by hand."
    status = ProductStatus.PUBLISHED
    published_at = factory.Sequence(
        lambda n: timezone.now() - dt.timedelta(days=365) + dt.timedelta(hours=n)
    )
    hs_code = "570110"
    weight_grams = 1200


class ProductVariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    price_amount = Decimal("100.00")
    stock_quantity = 5


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    base_currency = "AZN"
    currency = "EUR"
    rate = Decimal("2.0000")
    source = "test"
    valid_at = factory.LazyFunction(timezone.now)


def listed_product(*, prices=(Decimal("100.00"),), stock=5, **kwargs) -> Product:
    """A published product with one variant per price and its derived fields refreshed."""
    from market.catalog.services import product_refresh_derived_fields

    product = ProductFactory(**kwargs)
    for price in prices:
        ProductVariantFactory(product=product, price_amount=Decimal(price), stock_quantity=stock)
    product_refresh_derived_fields(product_ids=[product.pk])
    product.refresh_from_db()
    return product


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.ProductImage"

    product = factory.SubFactory(ProductFactory)
    image = factory.django.ImageField(color="red", width=64, height=64, format="JPEG")
    alt = "A photo"


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment row of ``order`` (required) for its whole total, as a gateway records it;
    tests about paying use the payment services instead."""

    class Meta:
        model = "payments.Payment"

    gateway = "stripe"
    amount = factory.SelfAttribute("order.total_amount")
    currency = factory.SelfAttribute("order.currency")
    amount_minor = factory.LazyAttribute(lambda p: to_minor_units(p.amount, p.currency))
    idempotency_key = factory.LazyAttribute(lambda p: f"pay-{p.order.pk}")


class PayoutFactory(factory.django.DjangoModelFactory):
    """A pending bank payout row of ``order_part`` (required) for its subtotal; tests about
    paying sellers make theirs with ``payouts_create_due``."""

    class Meta:
        model = "payouts.Payout"

    seller = factory.SelfAttribute("order_part.seller")
    amount = factory.SelfAttribute("order_part.subtotal_amount")
    currency = "AZN"
    route = "bank_transfer"


# Paid orders are built through the real services (checkout, completion, payment), so their
# sums, shares and ledger entries are the ones the marketplace makes. The builders of checkouts
# live in tests.orders.helpers, which imports this module: hence the imports inside.


def paid_part(
    *,
    seller: Seller | None = None,
    price: str = "100.00",
    quantity: int = 2,
    currency: str = "EUR",
    country: str = "AZ",
):
    """The one part of an order marked paid and recorded in the ledger: ``quantity`` ×
    ``price`` AZN of goods and 20.00 AZN shipping to Germany, paid in ``currency`` (1 EUR =
    2 AZN unless a rate is stored). Sold by ``seller`` (its country unchanged), else by a new
    seller in ``country``."""
    from market.ledger.services import ledger_record_order_paid
    from market.orders.services import checkout_complete, order_mark_paid
    from tests.orders.helpers import key, ready_checkout, seller_with_variant

    if currency != "AZN" and not ExchangeRate.objects.filter(currency=currency).exists():
        ExchangeRateFactory(currency=currency, rate=Decimal("2.0000"))
    if seller is None:
        seller, variant = seller_with_variant(price=price, stock=10)
        Seller.objects.filter(pk=seller.pk).update(country=country)
    else:
        variant = listed_product(seller=seller, prices=(Decimal(price),), stock=10).variants.get()
    checkout = ready_checkout(lines=[(variant, quantity)], currency=currency)
    order = checkout_complete(token=checkout.token, idempotency_key=key())
    order = order_mark_paid(order=order, actor=None)
    ledger_record_order_paid(order=order)
    return order.parts.select_related("seller", "order").get()


def card_paid_part(*, currency: str = "EUR", card: str | None = None, country: str = "AZ"):
    """The one part of an order paid in full by ``card`` (the dummy gateway's succeeding card
    unless given): a 100 AZN item and 20 AZN shipping to Germany, 60.00 EUR at 1 EUR = 2 AZN
    (seller 45.00 + fee 5.00 of the goods, 10.00 shipping), sold by a seller in ``country``."""
    from market.orders.models import OrderPart
    from market.payments.services import payment_create
    from tests.payments.helpers import SUCCEEDS, unpaid_order

    order = unpaid_order(currency=currency)
    part = order.parts.get()
    Seller.objects.filter(pk=part.seller_id).update(country=country)
    payment_create(order=order, card=card or SUCCEEDS, idempotency_key=f"pay-{order.pk}")
    return OrderPart.objects.select_related("order", "seller").get(pk=part.pk)

import datetime as dt
import uuid
from decimal import Decimal

import factory
from django.conf import settings
from django.utils import timezone

from market.catalog.models import (
    Attribute,
    AttributeValue,
    Category,
    Product,
    ProductStatus,
    ProductVariant,
)
from market.checkout.completion import checkout_complete
from market.checkout.models import Checkout, CheckoutDelivery, CheckoutLine, StockReservation
from market.core.models import ExchangeRate
from market.core.money import to_minor_units
from market.ledger.services import ledger_record_order_paid
from market.orders.services import order_mark_paid
from market.sellers.models import Discipline, Seller, SellerStatus
from market.shipping.models import DutyCountry, DutyRate, ShippingMethod, ShippingRate, ShippingZone


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


# --- Delivery tables and checkouts, built straight from the models ----------------------------

# Bands (max grams, AZN) used by every zone of these tests unless a test says otherwise.
BANDS = [(1000, "35.00"), (5000, "80.00"), (10000, "140.00")]


def shipping_method(
    *,
    zone: str = "Europe",
    countries=("DE", "FR"),
    name: str = "Standard",
    bands=BANDS,
    transit=(7, 14),
    carrier: str = "AzerPost",
    **fields,
) -> ShippingMethod:
    zone_row, _ = ShippingZone.objects.get_or_create(
        name=zone, defaults={"countries": list(countries)}
    )
    method = ShippingMethod.objects.create(
        zone=zone_row,
        name=name,
        carrier=carrier,
        transit_days_min=transit[0],
        transit_days_max=transit[1],
        **fields,
    )
    for grams, price in bands:
        ShippingRate.objects.create(
            method=method, max_weight_grams=grams, price_amount=Decimal(price)
        )
    return method


def duty_country(
    country: str = "DE",
    *,
    de_minimis: str = "150",
    currency: str = "EUR",
    default_rate: str = "4",
    ddp: bool = True,
    chapters=None,
) -> DutyCountry:
    row = DutyCountry.objects.create(
        country=country,
        de_minimis_amount=Decimal(de_minimis),
        de_minimis_currency=currency,
        default_rate=Decimal(default_rate),
        ddp_available=ddp,
    )
    for chapter, rate in (chapters or {"57": "8"}).items():
        DutyRate.objects.create(duty_country=row, hs_chapter=chapter, rate=Decimal(rate))
    return row


def rate(currency: str, value: str):
    return ExchangeRateFactory(currency=currency, rate=Decimal(value))


def carpet(
    price: str = "300.00",
    *,
    weight: int | None = 1200,
    hs_code: str = "570110",
    processing_days: int = 3,
    **product_fields,
):
    return ProductVariantFactory(
        price_amount=Decimal(price),
        product__weight_grams=weight,
        product__hs_code=hs_code,
        product__processing_days=processing_days,
        **{f"product__{k}": v for k, v in product_fields.items()},
    )


def checkout_with(
    *lines, currency: str = "EUR", country: str = "DE", incoterm: str = "", deliveries=()
) -> Checkout:
    """``lines``: (variant, quantity) pairs; ``deliveries``: shipping methods, each chosen for
    the seller of the matching line's variant."""
    checkout = Checkout.objects.create(
        currency=currency,
        shipping_country=country,
        incoterm=incoterm,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    for variant, quantity in lines:
        CheckoutLine.objects.create(checkout=checkout, variant=variant, quantity=quantity)
    for (variant, _), method in zip(lines, deliveries, strict=False):
        CheckoutDelivery.objects.update_or_create(
            checkout=checkout, seller=variant.product.seller, defaults={"shipping_method": method}
        )
    return checkout


# --- Checkouts ready to complete, and orders placed through the real services -----------------

BERLIN = {
    "name": "Anna Schmidt",
    "street_address_1": "Unter den Linden 1",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}


def euro_rate():
    """1 EUR = 2 AZN."""
    return ExchangeRateFactory(currency="EUR", rate=Decimal("2.0000"))


def shipping_to(country: str = "DE") -> ShippingMethod:
    """One method per destination: 20.00 AZN for a parcel up to 10 kg, 4–6 days in transit."""
    zone, _ = ShippingZone.objects.get_or_create(
        name=f"Zone {country}", defaults={"countries": [country]}
    )
    method, created = ShippingMethod.objects.get_or_create(
        zone=zone,
        name=f"Post to {country}",
        defaults={"carrier": "AzerPost", "transit_days_min": 4, "transit_days_max": 6},
    )
    if created:
        ShippingRate.objects.create(
            method=method, max_weight_grams=10_000, price_amount=Decimal("20.00")
        )
    return method


def seller_with_variant(*, price="100.00", stock=5, name=None):
    """An approved seller (with a user and contact e-mail) listing one variant."""
    user = UserFactory()
    seller = SellerFactory(user=user, contact_email=user.email, **({"name": name} if name else {}))
    product = listed_product(seller=seller, prices=(Decimal(price),), stock=stock)
    return seller, product.variants.get()


def ready_checkout(
    *,
    lines,
    user=None,
    email="buyer@example.com",
    country="DE",
    address=None,
    currency="EUR",
    reserve=True,
    deliver=True,
    incoterm="",
) -> Checkout:
    """A checkout with ``lines`` ((variant, quantity) pairs), an address, and a delivery method
    for each seller; with ``reserve`` each line holds its reservation as the checkout API
    would."""
    now = timezone.now()
    checkout = Checkout.objects.create(
        user=user,
        email=email,
        currency=currency,
        shipping_address=address if address is not None else {**BERLIN, "country": country},
        shipping_country=country,
        incoterm=incoterm,
        expires_at=now + dt.timedelta(seconds=settings.CHECKOUT_LIFETIME_SECONDS),
    )
    method = shipping_to(country) if country else None
    for variant, quantity in lines:
        CheckoutLine.objects.create(checkout=checkout, variant=variant, quantity=quantity)
        if reserve:
            StockReservation.objects.create(
                checkout=checkout,
                variant=variant,
                quantity=quantity,
                expires_at=now + dt.timedelta(seconds=settings.CHECKOUT_RESERVATION_SECONDS),
            )
        if deliver and method is not None:
            CheckoutDelivery.objects.get_or_create(
                checkout=checkout,
                seller=variant.product.seller,
                defaults={"shipping_method": method},
            )
    return checkout


def key() -> str:
    return f"key-{uuid.uuid4()}"


def placed_order(*, buyer=None, lines=None, **kwargs):
    """An unpaid order of two sellers; returns (order, seller_a, seller_b)."""
    if not ExchangeRateFactory._meta.model.objects.filter(currency="EUR").exists():
        euro_rate()
    seller_a, variant_a = seller_with_variant(price="100.00", stock=5)
    seller_b, variant_b = seller_with_variant(price="50.00", stock=3)
    checkout = ready_checkout(lines=lines or [(variant_a, 2), (variant_b, 1)], user=buyer, **kwargs)
    order = checkout_complete(token=checkout.token, idempotency_key=key(), user=buyer)
    return order, seller_a, seller_b


# Paid orders are built through the real services (checkout, completion, payment), so their
# sums, shares and ledger entries are the ones the marketplace makes.


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

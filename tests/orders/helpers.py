"""Builders for orders tests: checkouts ready to complete, made straight from the models."""

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from market.orders.models import (
    Checkout,
    CheckoutDelivery,
    CheckoutLine,
    ShippingMethod,
    ShippingRate,
    ShippingZone,
    StockReservation,
)
from market.orders.services import checkout_complete
from tests.factories import ExchangeRateFactory, SellerFactory, UserFactory, listed_product

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

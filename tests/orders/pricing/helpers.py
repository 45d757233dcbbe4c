"""Delivery tables, duty rows and checkouts built straight from the models, so these tests do not
depend on the checkout services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from market.orders.models import (
    Checkout,
    CheckoutDelivery,
    CheckoutLine,
    DutyCountry,
    DutyRate,
    ShippingMethod,
    ShippingRate,
    ShippingZone,
)
from tests.factories import ExchangeRateFactory, ProductVariantFactory

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

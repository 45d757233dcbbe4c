"""The demo delivery and duty tables: a Berlin carpet can be quoted, and seeding twice is safe."""

from decimal import Decimal

import pytest

from market.checkout.pricing import checkout_quote
from market.demo.delivery import demo_delivery_create
from market.shipping.models import DutyCountry, DutyRate, ShippingMethod, ShippingRate, ShippingZone
from tests.factories import carpet, checkout_with, rate

pytestmark = pytest.mark.django_db


def _counts():
    return [
        model.objects.count()
        for model in (ShippingZone, ShippingMethod, ShippingRate, DutyCountry, DutyRate)
    ]


def test_demo_tables_serve_the_required_destinations():
    demo_delivery_create()

    served = {code for zone in ShippingZone.objects.all() for code in zone.countries}
    assert {
        "AZ",
        "GE",
        "TR",
        "RU",
        "KZ",
        "DE",
        "FR",
        "IT",
        "NL",
        "GB",
        "AE",
        "SA",
        "QA",
        "US",
        "CN",
        "JP",
        "CA",
        "AU",
    } <= served
    duties = set(DutyCountry.objects.values_list("country", flat=True))
    assert {"DE", "FR", "GB", "US", "AE", "TR", "RU", "CN", "JP", "GE"} <= duties
    assert set(
        DutyCountry.objects.filter(ddp_available=True).values_list("country", flat=True)
    ) >= {"DE", "FR", "GB", "US", "AE"}
    assert not DutyCountry.objects.filter(
        country__in=["TR", "RU", "CN", "JP", "GE"], ddp_available=True
    ).exists()


def test_demo_tables_are_created_once_however_often_seeded():
    demo_delivery_create()
    counts = _counts()

    demo_delivery_create()

    assert _counts() == counts


def test_a_berlin_carpet_is_quoted_from_the_demo_tables():
    demo_delivery_create()
    rate("EUR", "1.9")
    standard = ShippingMethod.objects.get(zone__name="Europe", name="AzerPost standard")
    checkout = checkout_with(
        (carpet("300.00", weight=1200), 1), incoterm="DDP", deliveries=[standard]
    )

    quote = checkout_quote(checkout=checkout)

    # 80 AZN band; 157.89 EUR over the 150 EUR de minimis, chapter 57 at 8 %.
    assert (quote.shipping, quote.duties, quote.total) == (
        Decimal("42.11"),
        Decimal("12.63"),
        Decimal("212.63"),
    )

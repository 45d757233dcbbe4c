"""Demo delivery and duty tables: believable, not authoritative.

Prices are in AZN; transit times are typical of AzerPost and express couriers from Baku. The
duty figures are rounded from public tariff summaries for a handful of craft chapters (57
carpets, 69 ceramics, 71 jewellery, 92 instruments, 97 art, …) and are DEMO VALUES: staff keep
the real tables in the admin. Running :func:`demo_delivery_create` again updates the same rows.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from market.shipping.models import DutyCountry, DutyRate, ShippingMethod, ShippingRate, ShippingZone

# (zone, countries, [(method, carrier, transit min, transit max, [(max grams, AZN), …]), …])
ZONES = [
    (
        "Azerbaijan",
        ["AZ"],
        [
            (
                "AzerPost standard",
                "AzerPost",
                1,
                3,
                [(1000, "5.00"), (5000, "8.00"), (10000, "12.00"), (30000, "20.00")],
            ),
            (
                "Express courier",
                "Baku Express",
                1,
                1,
                [(1000, "10.00"), (5000, "15.00"), (10000, "25.00"), (30000, "40.00")],
            ),
        ],
    ),
    (
        "Neighbours",
        ["GE", "TR", "RU", "KZ", "UZ", "UA", "BY", "TM", "KG"],
        [
            (
                "AzerPost standard",
                "AzerPost",
                5,
                10,
                [(1000, "20.00"), (5000, "45.00"), (10000, "80.00"), (30000, "150.00")],
            ),
            (
                "Express courier",
                "AzerExpressPost EMS",
                2,
                4,
                [(1000, "45.00"), (5000, "90.00"), (10000, "150.00"), (30000, "260.00")],
            ),
        ],
    ),
    (
        "Europe",
        ["DE", "FR", "IT", "NL", "GB", "ES", "AT", "BE", "PL", "SE", "IE", "CH"],
        [
            (
                "AzerPost standard",
                "AzerPost",
                7,
                14,
                [(1000, "35.00"), (5000, "80.00"), (10000, "140.00"), (30000, "260.00")],
            ),
            (
                "Express courier",
                "DHL Express",
                2,
                4,
                [(1000, "70.00"), (5000, "150.00"), (10000, "260.00"), (30000, "480.00")],
            ),
        ],
    ),
    (
        "Gulf",
        ["AE", "SA", "QA", "KW", "BH", "OM"],
        [
            (
                "AzerPost standard",
                "AzerPost",
                5,
                10,
                [(1000, "30.00"), (5000, "70.00"), (10000, "120.00"), (30000, "220.00")],
            ),
            (
                "Express courier",
                "DHL Express",
                2,
                3,
                [(1000, "60.00"), (5000, "130.00"), (10000, "230.00"), (30000, "420.00")],
            ),
        ],
    ),
    (
        "Rest of the world",
        ["US", "CA", "CN", "JP", "KR", "AU", "NZ", "IN", "SG"],
        [
            (
                "AzerPost standard",
                "AzerPost",
                10,
                21,
                [(1000, "45.00"), (5000, "110.00"), (10000, "200.00"), (30000, "380.00")],
            ),
            (
                "Express courier",
                "DHL Express",
                3,
                6,
                [(1000, "90.00"), (5000, "200.00"), (10000, "360.00"), (30000, "650.00")],
            ),
        ],
    ),
]

_EU_RATES = {
    "42": "3.0",
    "57": "8.0",
    "61": "12.0",
    "62": "12.0",
    "69": "6.0",
    "71": "2.5",
    "92": "3.2",
    "97": "0",
}
# country: (de minimis, its currency, default rate %, DDP offered, {HS chapter: rate %})
DUTIES = {
    **{
        code: ("150", "EUR", "4.0", True, _EU_RATES)
        for code in ("DE", "FR", "IT", "NL", "ES", "AT", "BE", "PL", "SE", "IE")
    },
    "GB": (
        "135",
        "GBP",
        "4.0",
        True,
        {"57": "8.0", "61": "12.0", "69": "6.0", "71": "2.5", "92": "2.0", "97": "0"},
    ),
    # The US suspended its de minimis for postal and courier imports in 2025.
    "US": (
        "0",
        "USD",
        "5.0",
        True,
        {"57": "3.5", "61": "16.0", "69": "6.0", "71": "5.5", "92": "4.9", "97": "0"},
    ),
    "AE": ("1000", "AED", "5.0", True, {"97": "0"}),
    "SA": ("266", "USD", "5.0", False, {"97": "0"}),
    "QA": ("800", "USD", "5.0", False, {"97": "0"}),
    "TR": ("30", "EUR", "20.0", False, {"97": "0"}),
    "RU": ("200", "EUR", "15.0", False, {}),
    "CN": ("50", "CNY", "13.0", False, {"71": "20.0", "97": "13.0"}),
    "JP": ("10000", "JPY", "5.0", False, {"57": "6.6", "69": "2.0", "71": "5.2", "97": "0"}),
    "GE": ("300", "GEL", "5.0", False, {"97": "0"}),
}


@transaction.atomic
def demo_delivery_create() -> None:
    """Create (or bring back to the demo values) the demo zones, methods, bands and duties."""
    for zone_name, countries, methods in ZONES:
        zone, _ = ShippingZone.objects.update_or_create(
            name=zone_name, defaults={"countries": countries, "is_active": True}
        )
        for sort_order, (name, carrier, days_min, days_max, bands) in enumerate(methods):
            method, _ = ShippingMethod.objects.update_or_create(
                zone=zone,
                name=name,
                defaults={
                    "carrier": carrier,
                    "transit_days_min": days_min,
                    "transit_days_max": days_max,
                    "is_active": True,
                    "sort_order": sort_order,
                },
            )
            for max_grams, price in bands:
                ShippingRate.objects.update_or_create(
                    method=method,
                    max_weight_grams=max_grams,
                    defaults={"price_amount": Decimal(price)},
                )
    for country, (de_minimis, currency, default_rate, ddp, rates) in DUTIES.items():
        duty_country, _ = DutyCountry.objects.update_or_create(
            country=country,
            defaults={
                "de_minimis_amount": Decimal(de_minimis),
                "de_minimis_currency": currency,
                "default_rate": Decimal(default_rate),
                "ddp_available": ddp,
            },
        )
        for chapter, rate in rates.items():
            DutyRate.objects.update_or_create(
                duty_country=duty_country, hs_chapter=chapter, defaults={"rate": Decimal(rate)}
            )

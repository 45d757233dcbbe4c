"""Reads of the delivery and duty tables: where we deliver, by which methods, at what price,
and what a destination charges in import duties.

Every seller ships their own items as one parcel, so delivery is chosen per parcel: the
destination is served when an active :class:`ShippingZone` lists its country, the zone's active
methods are offered to each parcel, and a method is possible for a parcel when one of its
weight bands covers the parcel's weight (the cheapest, i.e. smallest, band that does is used).

Duties (exports only) come from the destination's :class:`DutyCountry` row, per parcel, because
customs judge each parcel alone. A destination without a row has no known duties, and DDP is
not offered there; deliveries within ``MARKET_DOMESTIC_COUNTRY`` pay none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from market.core.money import quantize
from market.core.reference_cache import reference_get
from market.core.selectors import PriceConverter, exchange_rate_get_latest
from market.shipping.models import DutyCountry, Incoterm, ShippingMethod, ShippingZone

# A product listed without a weight ships as if it weighed this much: heavy enough for a
# small parcel's band, so a missing weight never makes delivery free. Not a setting: it is a
# property of how we price, and staff fix the listing rather than the constant.
DEFAULT_WEIGHT_GRAMS = 500
ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class DeliveryOption:
    """One method a seller's parcel can go by, priced in the checkout currency."""

    method: ShippingMethod
    price: Decimal
    price_base: Decimal
    transit_days_min: int
    transit_days_max: int
    processing_days: int

    @property
    def delivery_days_min(self) -> int:
        return self.processing_days + self.transit_days_min

    @property
    def delivery_days_max(self) -> int:
        return self.processing_days + self.transit_days_max


# --- Delivery -------------------------------------------------------------------------------


def shipping_zones_active() -> list[ShippingZone]:
    """Where we deliver, with each zone's methods and rate bands (three queries in all)."""
    return list(
        ShippingZone.objects.filter(is_active=True)
        .prefetch_related("methods__rates")
        .order_by("name", "pk")
    )


def shipping_zone_for_country(country: str) -> ShippingZone | None:
    """The active zone serving ``country``; with several, the first by name (deterministic)."""
    if not country:
        return None
    for zone in ShippingZone.objects.filter(is_active=True).order_by("name", "pk"):
        if country.upper() in {code.upper() for code in zone.countries or ()}:
            return zone
    return None


def shipping_methods_for_country(country: str) -> list[ShippingMethod]:
    """The active methods of the zone serving ``country``, with their rate bands (kept in the
    shared cache until the tables change: ``market.core.reference_cache``)."""
    if not country:
        return []
    code = country.upper()
    return reference_get(f"delivery:{code}", lambda: _shipping_methods_for_country(code))


def _shipping_methods_for_country(country: str) -> list[ShippingMethod]:
    zone = shipping_zone_for_country(country)
    if zone is None:
        return []
    return list(
        zone.methods.filter(is_active=True)
        .prefetch_related("rates")
        .order_by("sort_order", "name", "pk")
    )


def method_price_base(method: ShippingMethod, weight_grams: int) -> Decimal | None:
    """The price of the smallest band that carries ``weight_grams``; None when none does."""
    bands = sorted(method.rates.all(), key=lambda rate: rate.max_weight_grams)
    for band in bands:
        if weight_grams <= band.max_weight_grams:
            return band.price_amount
    return None


def parcel_delivery_options(
    *,
    methods: list[ShippingMethod],
    weight_grams: int,
    processing_days: int,
    converter: PriceConverter,
) -> list[DeliveryOption]:
    """The ``methods`` a parcel of ``weight_grams`` may go by (those with a band that carries
    it), priced through ``converter``."""
    options = []
    for method in methods:
        price_base = method_price_base(method, weight_grams)
        if price_base is None:
            continue
        options.append(
            DeliveryOption(
                method=method,
                price=converter.from_base(price_base).amount,
                price_base=quantize(price_base, converter.base),
                transit_days_min=method.transit_days_min,
                transit_days_max=method.transit_days_max,
                processing_days=processing_days,
            )
        )
    return options


# --- Duties ---------------------------------------------------------------------------------


def is_domestic(country: str) -> bool:
    return bool(country) and country.upper() == settings.MARKET_DOMESTIC_COUNTRY.upper()


def duty_country_get(country: str) -> DutyCountry | None:
    """The destination's duty row with its rates (kept like the delivery methods)."""
    if not country or is_domestic(country):
        return None
    code = country.upper()
    return reference_get(
        f"duty:{code}",
        lambda: DutyCountry.objects.filter(country=code).prefetch_related("rates").first(),
    )


def incoterms_offered(*, country: str, duty_country: DutyCountry | None) -> list[str]:
    """DAP for every export; DDP where the destination's duty row allows it; none at home."""
    if not country or is_domestic(country):
        return []
    offered = [Incoterm.DAP.value]
    if duty_country is not None and duty_country.ddp_available:
        offered.append(Incoterm.DDP.value)
    return offered


def parcel_duties(
    *,
    duty_country: DutyCountry,
    goods_value: Decimal,
    lines: Iterable[tuple[Decimal, str]],
    currency: str,
) -> Decimal:
    """Duties on one parcel, in ``currency``, whichever incoterm pays them.

    ``goods_value`` is the parcel's goods (lines only, shipping excluded) in the destination's
    de minimis currency: at or under the threshold, no duty. Above it, each line (its total in
    ``currency`` and its product's HS code) pays the rate of its HS chapter (the code's first
    two digits; ``default_rate`` without a chapter row or without an HS code), rounded once.
    """
    if goods_value <= duty_country.de_minimis_amount:
        return quantize(ZERO, currency)
    rates = {rate.hs_chapter: rate.rate for rate in duty_country.rates.all()}
    due = sum(
        (
            total * rates.get(hs_code[:2], duty_country.default_rate) / HUNDRED
            for total, hs_code in lines
        ),
        ZERO,
    )
    return quantize(due, currency)


def amount_in_currency(
    amount_base: Decimal, currency: str, converter: PriceConverter
) -> Decimal | None:
    """A base amount in ``currency`` (a de minimis threshold's): through ``converter`` when
    it is that currency (a checkout's locked rate), else at the latest stored rate; None when
    no rate is known."""
    if currency == converter.base:
        return amount_base
    if currency == converter.currency:
        return converter.from_base(amount_base).amount
    rate = exchange_rate_get_latest(currency=currency)
    if rate is None:
        return None
    return quantize(amount_base / rate.rate, currency)


# --- Before the cart: what one item would cost to deliver -------------------------------------


@dataclass(frozen=True)
class DeliveryEstimate:
    """How one item, sent alone, would reach ``country``: the methods and their prices, the
    incoterms offered, and the import duties (None when the destination's are not known)."""

    country: str
    domestic: bool
    options: list[DeliveryOption]
    incoterms_offered: list[str]
    duties: Decimal | None
    currency: str


def delivery_estimate(
    *,
    country: str,
    weight_grams: int | None,
    processing_days: int,
    price_base: Decimal | None,
    hs_code: str,
    exportable: bool,
    converter: PriceConverter,
) -> DeliveryEstimate:
    """What a checkout would charge for delivering one item (weighing ``weight_grams``, priced
    ``price_base``) to ``country`` as its own parcel, by the same rules as a checkout's quote:
    the methods whose bands carry its weight (a missing weight counts as
    ``DEFAULT_WEIGHT_GRAMS``), DAP/DDP where offered, and the duties a parcel of it pays. An
    item that is not exportable reaches no country but the home one."""
    country = country.upper()
    domestic = is_domestic(country)
    currency = converter.currency
    if not exportable and not domestic:
        return DeliveryEstimate(country, domestic, [], [], None, currency)
    options = parcel_delivery_options(
        methods=shipping_methods_for_country(country),
        weight_grams=weight_grams or DEFAULT_WEIGHT_GRAMS,
        processing_days=processing_days,
        converter=converter,
    )
    duty_country = duty_country_get(country)
    duties: Decimal | None = quantize(ZERO, currency) if domestic else None
    # A listing with no priced variant yet (a seller's draft) has no value to charge duty on.
    if duty_country is not None and price_base is not None:
        threshold_currency = duty_country.de_minimis_currency.upper()
        goods_value = amount_in_currency(price_base, threshold_currency, converter)
        if goods_value is not None:
            duties = parcel_duties(
                duty_country=duty_country,
                goods_value=goods_value,
                lines=[(converter.from_base(price_base).amount, hs_code)],
                currency=currency,
            )
    return DeliveryEstimate(
        country=country,
        domestic=domestic,
        options=options,
        incoterms_offered=incoterms_offered(country=country, duty_country=duty_country),
        duties=duties,
        currency=currency,
    )

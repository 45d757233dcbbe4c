"""Delivery: which methods can carry each seller's parcel to the buyer's country, at what price.

Every seller ships their own items as one parcel, so delivery is chosen per seller ("part"):
the destination is served when an active :class:`ShippingZone` lists its country, the zone's
active methods are offered to each part, and a method is possible for a part when one of its
weight bands covers the part's weight (the cheapest, i.e. smallest, band that does is used).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from market.core.errors import DomainError
from market.core.money import base_currency, quantize
from market.core.selectors import PriceConverter, price_converter_get
from market.orders.error_codes import CheckoutErrorCode
from market.orders.models import (
    Checkout,
    CheckoutDelivery,
    CheckoutLine,
    ShippingMethod,
    ShippingZone,
)

# A product listed without a weight ships as if it weighed this much: heavy enough for a
# small parcel's band, so a missing weight never makes delivery free. Not a setting: it is a
# property of how we price, and staff fix the listing rather than the constant.
DEFAULT_WEIGHT_GRAMS = 500


@dataclass(frozen=True)
class DeliveryOption:
    """One method a seller's part can go by, priced in the checkout currency."""

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


def checkout_converter(*, checkout: Checkout) -> PriceConverter:
    """The checkout's locked rate once the buyer started paying, else the rate in force."""
    if checkout.rate_locked_at is not None and checkout.exchange_rate is not None:
        return PriceConverter(
            base=base_currency(),
            currency=checkout.currency,
            rate=checkout.exchange_rate,
            source=checkout.exchange_rate_source,
            valid_at=checkout.exchange_rate_valid_at,
        )
    return price_converter_get(currency=checkout.currency)


def checkout_lines(*, checkout: Checkout) -> list[CheckoutLine]:
    return list(
        checkout.lines.select_related("variant__product__seller").order_by("created_at", "pk")
    )


def lines_by_seller(lines: Iterable[CheckoutLine]) -> dict[int, list[CheckoutLine]]:
    """Lines grouped per seller, sellers in the order their first item was added."""
    grouped: dict[int, list[CheckoutLine]] = {}
    for line in lines:
        grouped.setdefault(line.variant.product.seller_id, []).append(line)
    return grouped


def line_weight_grams(line: CheckoutLine) -> int:
    weight = line.variant.product.weight_grams
    return (weight if weight else DEFAULT_WEIGHT_GRAMS) * line.quantity


def part_weight_grams(lines: Iterable[CheckoutLine]) -> int:
    return sum(line_weight_grams(line) for line in lines)


def part_processing_days(lines: Iterable[CheckoutLine]) -> int:
    """The part leaves when its slowest item is ready."""
    return max((line.variant.product.processing_days for line in lines), default=0)


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


def part_delivery_options(
    *, methods: list[ShippingMethod], lines: list[CheckoutLine], converter: PriceConverter
) -> list[DeliveryOption]:
    weight = part_weight_grams(lines)
    processing = part_processing_days(lines)
    options = []
    for method in methods:
        price_base = method_price_base(method, weight)
        if price_base is None:
            continue
        options.append(
            DeliveryOption(
                method=method,
                price=converter.from_base(price_base).amount,
                price_base=quantize(price_base, converter.base),
                transit_days_min=method.transit_days_min,
                transit_days_max=method.transit_days_max,
                processing_days=processing,
            )
        )
    return options


def delivery_options(*, checkout: Checkout) -> dict[int, list[DeliveryOption]]:
    """Per seller id, the methods their part may go by (empty when the destination is unknown
    or not served, or when no band carries the part's weight)."""
    grouped = lines_by_seller(checkout_lines(checkout=checkout))
    methods = shipping_methods_for_country(checkout.shipping_country)
    if not methods:
        return {seller_id: [] for seller_id in grouped}
    converter = checkout_converter(checkout=checkout)
    return {
        seller_id: part_delivery_options(methods=methods, lines=lines, converter=converter)
        for seller_id, lines in grouped.items()
    }


@transaction.atomic
def checkout_delivery_method_set(
    *, checkout: Checkout, seller_id: int, method_id: int
) -> CheckoutDelivery:
    """Choose how one seller's part travels.

    The checkout needs a shipping country first (``shipping_address_required``) that an active
    zone serves (``destination_not_served``); the seller must have items in the checkout
    (``not_found``: a stranger's shop answers like a missing one); the method must be one
    offered for that part's weight (``invalid_delivery_method``).
    """
    checkout = Checkout.objects.select_for_update().get(pk=checkout.pk)
    if not checkout.shipping_country:
        raise DomainError(
            CheckoutErrorCode.SHIPPING_ADDRESS_REQUIRED,
            "Give a shipping address before choosing delivery.",
            field="shippingAddress",
        )
    methods = shipping_methods_for_country(checkout.shipping_country)
    if not methods:
        raise DomainError(
            CheckoutErrorCode.DESTINATION_NOT_SERVED,
            f"We do not deliver to {checkout.shipping_country} yet.",
            field="shippingAddress",
        )
    lines = lines_by_seller(checkout_lines(checkout=checkout)).get(seller_id)
    if not lines:
        raise DomainError(
            CheckoutErrorCode.NOT_FOUND,
            "This checkout has no items from that seller.",
            field="sellerId",
        )
    weight = part_weight_grams(lines)
    method = next((m for m in methods if m.pk == method_id), None)
    if method is None or method_price_base(method, weight) is None:
        raise DomainError(
            CheckoutErrorCode.INVALID_DELIVERY_METHOD,
            f"That delivery method is not offered for this seller's parcel "
            f"({weight} g to {checkout.shipping_country}).",
            field="shippingMethodId",
        )
    delivery, _ = CheckoutDelivery.objects.update_or_create(
        checkout=checkout, seller_id=seller_id, defaults={"shipping_method": method}
    )
    return delivery

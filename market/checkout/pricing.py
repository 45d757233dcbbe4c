"""What a checkout costs, per seller and in total, in the buyer's currency, and how each
seller's part travels (one of the methods ``market.shipping`` offers for the part's weight).

Rules (each figure in the checkout currency):

- A line's unit price is the variant's base price converted once (rounded to the currency's
  minor unit); its total is unit price × quantity. A part's subtotal is the sum of its lines.
- Shipping is the chosen method's band for the part's weight, converted once per part. A choice
  that no longer fits (the weight or the destination changed) counts as no choice.
- VAT: delivery within the home country (``MARKET_DOMESTIC_COUNTRY``) carries VAT at
  ``MARKET_DOMESTIC_VAT_RATE`` %, already included in the prices: per part
  ``vat = total × rate / (100 + rate)``, shown and never added. Exports are zero-rated.
- Duties (exports only) come from the destination's :class:`DutyCountry` row, per part, because
  each part ships as its own parcel and customs judge each parcel alone: when the part's goods
  value (lines only, shipping excluded), converted into the de minimis currency, is at or under
  the de minimis threshold, no duty; above it, each line pays the rate of its HS chapter (first
  two digits of the product's HS code; ``default_rate`` without a chapter row or without an HS
  code). A destination without a row has no known duties: 0, and DDP is not offered there.
  Under DDP the duties are collected (``duties``, added to the total); under DAP, or while no
  incoterm is chosen, they are ``duties_estimate`` (shown, payable on arrival, not added).
- Rounding happens once per line total, part shipping, part VAT and part duties; every order
  figure is the sum of its parts' figures, so the parts add up to the totals to the minor unit.
  ``total = subtotal + shipping + duties``.
- Until the buyer gives a shipping country, a quote shows the goods only: no shipping, VAT,
  duties or incoterm.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from market.catalog.models import Product, ProductVariant
from market.checkout.error_codes import CheckoutErrorCode
from market.checkout.models import Checkout, CheckoutDelivery, CheckoutLine
from market.checkout.selectors import checkout_get_for_display
from market.core.errors import DomainError
from market.core.money import base_currency, quantize
from market.core.selectors import PriceConverter, price_converter_get
from market.sellers.models import Seller
from market.shipping.models import DutyCountry, Incoterm, ShippingMethod
from market.shipping.selectors import (
    DEFAULT_WEIGHT_GRAMS,
    DeliveryOption,
    amount_in_currency,
    duty_country_get,
    incoterms_offered,
    is_domestic,
    method_price_base,
    parcel_delivery_options,
    parcel_duties,
    shipping_methods_for_country,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineQuote:
    line: CheckoutLine
    variant: ProductVariant
    product: Product
    seller: Seller
    quantity: int
    unit_price_base: Decimal
    unit_price: Decimal
    total: Decimal


@dataclass(frozen=True)
class PartQuote:
    """One seller's parcel."""

    seller: Seller
    lines: list[LineQuote]
    shipping_method: ShippingMethod | None
    weight_grams: int
    subtotal: Decimal
    shipping: Decimal
    vat: Decimal
    duties: Decimal
    duties_estimate: Decimal
    total: Decimal
    processing_days: int
    transit_days_min: int
    transit_days_max: int
    delivery_options: list[DeliveryOption] = field(default_factory=list)

    @property
    def delivery_days_min(self) -> int:
        return self.processing_days + self.transit_days_min

    @property
    def delivery_days_max(self) -> int:
        return self.processing_days + self.transit_days_max


@dataclass(frozen=True)
class CheckoutQuote:
    currency: str
    converter: PriceConverter
    parts: list[PartQuote]
    subtotal: Decimal
    shipping: Decimal
    vat: Decimal
    duties: Decimal
    duties_estimate: Decimal
    total: Decimal
    total_base: Decimal
    incoterm: str
    domestic: bool
    incoterms_offered: list[str] = field(default_factory=list)
    # Seller id → the shipping method the buyer chose, as read for this quote.
    chosen_methods: dict[int, int] = field(default_factory=dict)


# --- Delivery per seller ---------------------------------------------------------------------


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


def part_delivery_options(
    *, methods: list[ShippingMethod], lines: list[CheckoutLine], converter: PriceConverter
) -> list[DeliveryOption]:
    return parcel_delivery_options(
        methods=methods,
        weight_grams=part_weight_grams(lines),
        processing_days=part_processing_days(lines),
        converter=converter,
    )


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
    return _delivery_method_set(checkout=checkout, seller_id=seller_id, method_id=method_id)[0]


def _delivery_method_set(
    *, checkout: Checkout, seller_id: int, method_id: int
) -> tuple[CheckoutDelivery, Checkout, list[ShippingMethod], list[CheckoutLine]]:
    """``checkout_delivery_method_set``, with what it read on the way (the locked checkout,
    the methods to its country, all its lines), which the quote that follows needs too."""
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
    all_lines = checkout_lines(checkout=checkout)
    lines = lines_by_seller(all_lines).get(seller_id)
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
    return delivery, checkout, methods, all_lines


# --- The quote --------------------------------------------------------------------------------


def checkout_quote(
    *,
    checkout: Checkout,
    lines: list[CheckoutLine] | None = None,
    methods: list[ShippingMethod] | None = None,
) -> CheckoutQuote:
    """Price the checkout as it stands (a pure read; see the module's rules). ``lines``
    (``checkout_lines``) and ``methods`` (``shipping_methods_for_country`` of its country),
    when the caller has just read them in the same transaction, are not read again."""
    converter = checkout_converter(checkout=checkout)
    currency = converter.currency
    country = checkout.shipping_country
    domestic = is_domestic(country)
    duty_country = duty_country_get(country)
    offered = incoterms_offered(country=country, duty_country=duty_country)
    incoterm = ""
    if offered:
        incoterm = checkout.incoterm if checkout.incoterm in offered else Incoterm.DAP.value
    if methods is None:
        methods = shipping_methods_for_country(country)
    chosen = dict(checkout.deliveries.values_list("seller_id", "shipping_method_id"))

    parts = []
    all_lines = checkout_lines(checkout=checkout) if lines is None else lines
    for lines in lines_by_seller(all_lines).values():
        line_quotes = [_line_quote(line, converter) for line in lines]
        options = part_delivery_options(methods=methods, lines=lines, converter=converter)
        seller = lines[0].variant.product.seller
        option = next((o for o in options if o.method.pk == chosen.get(seller.pk)), None)
        subtotal = sum((line.total for line in line_quotes), ZERO)
        shipping = option.price if option else quantize(ZERO, currency)
        duties_due = _part_duties(
            duty_country=duty_country, lines=line_quotes, converter=converter, checkout=checkout
        )
        collected = duties_due if incoterm == Incoterm.DDP else quantize(ZERO, currency)
        estimate = duties_due if incoterm == Incoterm.DAP else quantize(ZERO, currency)
        total = subtotal + shipping + collected
        parts.append(
            PartQuote(
                seller=seller,
                lines=line_quotes,
                shipping_method=option.method if option else None,
                weight_grams=part_weight_grams(lines),
                subtotal=subtotal,
                shipping=shipping,
                vat=_vat(total, currency) if domestic else quantize(ZERO, currency),
                duties=collected,
                duties_estimate=estimate,
                total=total,
                processing_days=part_processing_days(lines),
                transit_days_min=option.transit_days_min if option else 0,
                transit_days_max=option.transit_days_max if option else 0,
                delivery_options=options,
            )
        )

    def summed(name: str) -> Decimal:
        return sum((getattr(part, name) for part in parts), quantize(ZERO, currency))

    total = summed("total")
    return CheckoutQuote(
        currency=currency,
        converter=converter,
        parts=parts,
        subtotal=summed("subtotal"),
        shipping=summed("shipping"),
        vat=summed("vat"),
        duties=summed("duties"),
        duties_estimate=summed("duties_estimate"),
        total=total,
        total_base=quantize(converter.to_base(total), converter.base),
        incoterm=incoterm,
        domestic=domestic,
        incoterms_offered=offered,
        chosen_methods=chosen,
    )


def _line_quote(line: CheckoutLine, converter: PriceConverter) -> LineQuote:
    variant = line.variant
    unit_price = converter.from_base(variant.price_amount).amount
    return LineQuote(
        line=line,
        variant=variant,
        product=variant.product,
        seller=variant.product.seller,
        quantity=line.quantity,
        unit_price_base=variant.price_amount,
        unit_price=unit_price,
        total=quantize(unit_price * line.quantity, converter.currency),
    )


def _vat(total_including_vat: Decimal, currency: str) -> Decimal:
    rate = Decimal(settings.MARKET_DOMESTIC_VAT_RATE)
    return quantize(total_including_vat * rate / (HUNDRED + rate), currency)


def _part_duties(
    *,
    duty_country: DutyCountry | None,
    lines: list[LineQuote],
    converter: PriceConverter,
    checkout: Checkout,
) -> Decimal:
    """Duties on one parcel, whichever incoterm pays them."""
    currency = converter.currency
    if duty_country is None or not lines:
        return quantize(ZERO, currency)
    goods_base = sum((line.unit_price_base * line.quantity for line in lines), ZERO)
    threshold_currency = duty_country.de_minimis_currency.upper()
    return parcel_duties(
        duty_country=duty_country,
        goods_value=_in_currency(goods_base, threshold_currency, converter),
        lines=[(line.total, line.product.hs_code) for line in lines],
        currency=currency,
    )


def _in_currency(amount_base: Decimal, currency: str, converter: PriceConverter) -> Decimal:
    """A base amount in ``currency``: the checkout's own rate when it is that currency (locked
    or not), else the latest stored rate."""
    amount = amount_in_currency(amount_base, currency, converter)
    if amount is None:
        raise DomainError(
            CheckoutErrorCode.NO_EXCHANGE_RATE,
            f"No exchange rate is known for {currency} to judge duties.",
            field="shippingAddress",
        )
    return amount


@transaction.atomic
def checkout_incoterm_set(*, checkout: Checkout, incoterm: str) -> Checkout:
    """Choose who pays the duties of an export.

    DAP is offered for every export, DDP only where the destination's duty row allows it
    (``incoterm_not_offered`` otherwise); deliveries at home have no incoterm, and the
    destination must be known first (``shipping_address_required``).
    """
    checkout = Checkout.objects.select_for_update().get(pk=checkout.pk)
    if incoterm not in Incoterm.values:
        raise DomainError(
            CheckoutErrorCode.INVALID, f"Unknown incoterm '{incoterm}'.", field="incoterm"
        )
    if not checkout.shipping_country:
        raise DomainError(
            CheckoutErrorCode.SHIPPING_ADDRESS_REQUIRED,
            "Give a shipping address before choosing an incoterm.",
            field="shippingAddress",
        )
    offered = incoterms_offered(
        country=checkout.shipping_country, duty_country=duty_country_get(checkout.shipping_country)
    )
    if incoterm not in offered:
        where = "within the country" if not offered else f"to {checkout.shipping_country}"
        raise DomainError(
            CheckoutErrorCode.INCOTERM_NOT_OFFERED,
            f"{incoterm} is not offered for deliveries {where}.",
            field="incoterm",
        )
    if checkout.incoterm != incoterm:
        checkout.incoterm = incoterm
        checkout.save(update_fields=["incoterm", "updated_at"])
    return checkout


def _quoted(checkout: Checkout) -> tuple[Checkout, CheckoutQuote]:
    shown = checkout_get_for_display(token=checkout.token)
    return shown, checkout_quote(checkout=shown)


@transaction.atomic
def checkout_delivery_method_choose(
    *, checkout: Checkout, seller_id: int, method_id: int, shown: bool = True
) -> tuple[Checkout, CheckoutQuote]:
    """``checkout_delivery_method_set``, answered with the checkout (as shown, unless
    ``shown`` is False: then as given) and its fresh quote: a choice the checkout cannot be
    quoted with (e.g. no rate for its currency) raises and is not kept."""
    _, locked, methods, lines = _delivery_method_set(
        checkout=checkout, seller_id=seller_id, method_id=method_id
    )
    if not shown:
        return locked, checkout_quote(checkout=locked, lines=lines, methods=methods)
    return _quoted(checkout)


@transaction.atomic
def checkout_incoterm_choose(
    *, checkout: Checkout, incoterm: str
) -> tuple[Checkout, CheckoutQuote]:
    """``checkout_incoterm_set``, answered like ``checkout_delivery_method_choose``."""
    checkout_incoterm_set(checkout=checkout, incoterm=incoterm)
    return _quoted(checkout)


@transaction.atomic
def checkout_rate_lock(*, checkout: Checkout) -> Checkout:
    """Fix the exchange rate the checkout is paid and ordered at; the first lock wins and later
    calls change nothing (the payment start and the completion may both call it)."""
    return checkout_rate_lock_held(
        checkout=Checkout.objects.select_for_update().get(pk=checkout.pk)
    )


def checkout_rate_lock_held(*, checkout: Checkout) -> Checkout:
    """``checkout_rate_lock`` for a caller that holds the checkout's row lock and read
    ``checkout`` under it (the completion): neither is taken again."""
    locked = checkout
    if locked.rate_locked_at is None:
        converter = checkout_converter(checkout=locked)
        locked.exchange_rate = converter.rate
        locked.exchange_rate_source = converter.source
        locked.exchange_rate_valid_at = converter.valid_at
        locked.rate_locked_at = timezone.now()
        locked.save(
            update_fields=[
                "exchange_rate",
                "exchange_rate_source",
                "exchange_rate_valid_at",
                "rate_locked_at",
                "updated_at",
            ]
        )
    return locked

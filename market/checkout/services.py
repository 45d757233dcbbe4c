"""Checkout services: a buyer's cart, its addresses and currency, and the stock it holds.

Every change to a checkout renews it: ``expires_at`` moves to now + CHECKOUT_LIFETIME_SECONDS
and each line's stock reservation to now + CHECKOUT_RESERVATION_SECONDS. Availability is
decided under row locks on the variants (``select_for_update``, ascending primary keys, the
same order everywhere) so two checkouts racing for the last unit cannot both reserve it.
A refused change raises ``DomainError`` and leaves the checkout and its reservations as they
were (each service is one transaction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from market.catalog.models import ProductVariant
from market.catalog.selectors import product_list_published
from market.checkout.addresses import address_validate
from market.checkout.error_codes import CheckoutErrorCode
from market.checkout.models import Checkout, CheckoutLine, CheckoutStatus, StockReservation
from market.checkout.selectors import checkout_ensure_active, reserved_by_others
from market.core.errors import DomainError
from market.core.money import base_currency
from market.core.selectors import price_converter_get

if TYPE_CHECKING:
    from market.accounts.models import User


@dataclass(frozen=True)
class _LineChange:
    """The quantity a line should have after a change (0 removes it)."""

    variant_id: int
    quantity: int
    quantity_field: str
    variant_field: str


# --- Building blocks ------------------------------------------------------------------------


def _lifetime_end(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=settings.CHECKOUT_LIFETIME_SECONDS)


def _reservation_end(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=settings.CHECKOUT_RESERVATION_SECONDS)


def _locked(checkout: Checkout) -> Checkout:
    """The checkout re-read under a row lock, still active (it may have been completed by a
    request that committed meanwhile)."""
    locked = Checkout.objects.select_for_update().get(pk=checkout.pk)
    return checkout_ensure_active(locked)


def _email_clean(email: str | None, *, required: bool) -> str:
    email = (email or "").strip()
    if not email:
        if required:
            raise DomainError(
                CheckoutErrorCode.EMAIL_REQUIRED, "Give an e-mail address.", field="email"
            )
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            CheckoutErrorCode.INVALID_EMAIL,
            f"'{email}' is not a valid e-mail address.",
            field="email",
        ) from None
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def _currency_clean(currency: str | None) -> str:
    """A currency we sell in and hold a rate for (``unknown_currency`` / ``no_exchange_rate``)."""
    return price_converter_get(currency=currency or base_currency(), field="currency").currency


def _quantity_check(quantity: object, *, field: str, allow_zero: bool) -> None:
    if not isinstance(quantity, int) or quantity < 0 or (quantity == 0 and not allow_zero):
        raise DomainError(
            CheckoutErrorCode.INVALID_QUANTITY,
            "The quantity must be a positive whole number.",
            field=field,
        )
    if quantity > settings.CHECKOUT_MAX_LINE_QUANTITY:
        raise DomainError(
            CheckoutErrorCode.QUANTITY_OVER_LIMIT,
            f"At most {settings.CHECKOUT_MAX_LINE_QUANTITY} of one item per checkout.",
            field=field,
        )


def _lock_variants(variant_ids: Iterable[int | None]) -> dict[int, ProductVariant]:
    """Lock the variants' rows in ascending primary-key order (the one order every service
    that decides on stock uses, so two of them never wait for each other in a cycle)."""
    ids = sorted({pk for pk in variant_ids if pk is not None})
    if not ids:
        return {}
    return {
        v.pk: v
        for v in ProductVariant.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }


def _apply_line_changes(checkout: Checkout, changes: list[_LineChange], now: dt.datetime) -> None:
    """Set the lines' quantities and renew every reservation of the checkout.

    A line whose quantity grows must be for a variant buyers may buy and fit in what other
    checkouts leave of its stock; a line that shrinks or goes is always accepted. Lines not
    changed keep their quantity and reserve what they still can.
    """
    current = {line.variant_id: line for line in checkout.lines.all()}
    wanted = {variant_id: line.quantity for variant_id, line in current.items()}
    for change in changes:
        wanted[change.variant_id] = change.quantity
    if sum(1 for quantity in wanted.values() if quantity > 0) > settings.CHECKOUT_MAX_LINES:
        raise DomainError(
            CheckoutErrorCode.TOO_MANY_LINES,
            f"A checkout holds at most {settings.CHECKOUT_MAX_LINES} lines.",
            field="lines",
        )

    variants = _lock_variants(wanted)
    growing = [c for c in changes if c.quantity > getattr(current.get(c.variant_id), "quantity", 0)]
    purchasable = set(
        ProductVariant.objects.filter(
            pk__in=[c.variant_id for c in growing if c.variant_id in variants],
            product__in=product_list_published(),
        ).values_list("pk", flat=True)
    )
    held = reserved_by_others(variant_ids=variants, exclude_checkout=checkout)
    available = {pk: max(0, v.stock_quantity - held.get(pk, 0)) for pk, v in variants.items()}
    for change in growing:
        if change.variant_id not in purchasable:
            raise DomainError(
                CheckoutErrorCode.VARIANT_NOT_AVAILABLE,
                "This item is not available.",
                field=change.variant_field,
            )
        left = available[change.variant_id]
        if left == 0:
            raise DomainError(
                CheckoutErrorCode.OUT_OF_STOCK,
                "This item is out of stock.",
                field=change.quantity_field,
            )
        if change.quantity > left:
            raise DomainError(
                CheckoutErrorCode.INSUFFICIENT_STOCK,
                f"Only {left} left in stock.",
                field=change.quantity_field,
            )

    removed = [pk for pk, quantity in wanted.items() if quantity == 0 and pk in current]
    kept = {pk: quantity for pk, quantity in wanted.items() if quantity > 0}
    if removed:
        CheckoutLine.objects.filter(checkout=checkout, variant_id__in=removed).delete()
    CheckoutLine.objects.bulk_create(
        [
            CheckoutLine(checkout=checkout, variant_id=pk, quantity=quantity)
            for pk, quantity in kept.items()
            if pk not in current or current[pk].quantity != quantity
        ],
        update_conflicts=True,
        unique_fields=["checkout", "variant"],
        update_fields=["quantity"],
    )
    _reservations_renew(checkout, kept, available, now)


def _reservations_renew(
    checkout: Checkout, quantities: dict[int, int], available: dict[int, int], now: dt.datetime
) -> None:
    """Hold each line's quantity again until the reservation window ends from ``now``; a line
    whose stock went to other checkouts meanwhile holds what is left (nothing when none is)."""
    held = {pk: min(quantity, available.get(pk, 0)) for pk, quantity in quantities.items()}
    StockReservation.objects.filter(checkout=checkout).exclude(
        variant_id__in=[pk for pk, quantity in held.items() if quantity > 0]
    ).delete()
    until = _reservation_end(now)
    StockReservation.objects.bulk_create(
        [
            StockReservation(checkout=checkout, variant_id=pk, quantity=quantity, expires_at=until)
            for pk, quantity in held.items()
            if quantity > 0
        ],
        update_conflicts=True,
        unique_fields=["checkout", "variant"],
        update_fields=["quantity", "expires_at"],
    )


def _touch(checkout: Checkout, now: dt.datetime, *fields: str) -> Checkout:
    checkout.expires_at = _lifetime_end(now)
    checkout.save(update_fields=["expires_at", "updated_at", *fields])
    return checkout


def _renew(checkout: Checkout, now: dt.datetime, *fields: str) -> Checkout:
    """Save ``fields``, extend the checkout's life and renew its reservations."""
    _apply_line_changes(checkout, [], now)
    return _touch(checkout, now, *fields)


def _changes_from_input(
    lines: list[dict[str, Any]], *, existing: dict[int, int], adding: bool
) -> list[_LineChange]:
    """Input lines (``variant_id``, ``quantity``) as target quantities; repeated variants add
    up. Fields name the input position: ``lines.<i>.quantity``."""
    totals: dict[int, int] = {}
    changes: dict[int, _LineChange] = {}
    for index, line in enumerate(lines):
        # Raw input until ``_quantity_check`` has refused anything but a whole number.
        variant_id, quantity = line.get("variant_id"), cast(int, line.get("quantity"))
        quantity_field, variant_field = f"lines.{index}.quantity", f"lines.{index}.variantId"
        _quantity_check(quantity, field=quantity_field, allow_zero=False)
        if variant_id is None:
            raise DomainError(
                CheckoutErrorCode.VARIANT_NOT_AVAILABLE,
                "This item is not available.",
                field=variant_field,
            )
        start = existing.get(variant_id, 0) if adding else 0
        totals[variant_id] = totals.get(variant_id, start) + quantity
        change = _LineChange(variant_id, totals[variant_id], quantity_field, variant_field)
        _quantity_check(change.quantity, field=quantity_field, allow_zero=False)
        changes[variant_id] = change
    return list(changes.values())


def _lines_input_capped(lines: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    lines = list(lines or [])
    if len(lines) > settings.CHECKOUT_MAX_LINES:
        raise DomainError(
            CheckoutErrorCode.TOO_MANY_LINES,
            f"A checkout holds at most {settings.CHECKOUT_MAX_LINES} lines.",
            field="lines",
        )
    return lines


# --- Services ---------------------------------------------------------------------------------


@transaction.atomic
def checkout_create(
    *,
    user: User | None = None,
    currency: str | None = None,
    email: str = "",
    lines: list[dict[str, Any]] | None = None,
    shipping_address: dict[str, Any] | None = None,
    billing_address: dict[str, Any] | None = None,
) -> Checkout:
    """Open a checkout for a signed-in buyer (``user``) or a guest (who holds only the token).

    The currency defaults to the base currency and must be one we sell in with a known rate;
    the e-mail defaults to the signed-in buyer's; given lines and addresses obey the same rules
    as the services that change them later.
    """
    lines = _lines_input_capped(lines)
    currency = _currency_clean(currency)
    if not email and user is not None:
        email = user.email
    email = _email_clean(email, required=False)
    shipping = (
        address_validate(address=shipping_address, field="shippingAddress")
        if shipping_address
        else {}
    )
    billing = (
        address_validate(address=billing_address, field="billingAddress") if billing_address else {}
    )
    changes = _changes_from_input(lines, existing={}, adding=False)
    now = timezone.now()
    checkout = Checkout.objects.create(
        user=user,
        currency=currency,
        email=email,
        shipping_address=shipping,
        billing_address=billing,
        shipping_country=shipping.get("country", ""),
        expires_at=_lifetime_end(now),
    )
    _apply_line_changes(checkout, changes, now)
    return checkout


@transaction.atomic
def checkout_lines_add(*, checkout: Checkout, lines: list[dict[str, Any]]) -> Checkout:
    """Add quantities to the checkout (to the existing line of a variant, or a new line),
    reserving the units: a positive quantity, at most CHECKOUT_MAX_LINE_QUANTITY per line,
    CHECKOUT_MAX_LINES lines, a variant buyers may buy, and stock that other checkouts do not
    hold."""
    lines = _lines_input_capped(lines)
    if not lines:
        raise DomainError(CheckoutErrorCode.INVALID, "Give at least one line.", field="lines")
    checkout = _locked(checkout)
    existing = dict(checkout.lines.values_list("variant_id", "quantity"))
    changes = _changes_from_input(lines, existing=existing, adding=True)
    now = timezone.now()
    _apply_line_changes(checkout, changes, now)
    return _touch(checkout, now)


def _line_change(checkout: Checkout, variant_id: int | None, quantity: int) -> Checkout:
    checkout = _locked(checkout)
    if variant_id is None or not checkout.lines.filter(variant_id=variant_id).exists():
        raise DomainError(
            CheckoutErrorCode.LINE_NOT_FOUND,
            "This checkout has no line of that item.",
            field="variantId",
        )
    change = _LineChange(variant_id, quantity, "quantity", "variantId")
    _quantity_check(change.quantity, field=change.quantity_field, allow_zero=True)
    now = timezone.now()
    _apply_line_changes(checkout, [change], now)
    return _touch(checkout, now)


@transaction.atomic
def checkout_line_update(*, checkout: Checkout, variant_id: int | None, quantity: int) -> Checkout:
    """Set the quantity of the checkout's line of a variant (0 removes it); more units obey
    the rules of :func:`checkout_lines_add`."""
    return _line_change(checkout, variant_id, quantity)


@transaction.atomic
def checkout_line_delete(*, checkout: Checkout, variant_id: int | None) -> Checkout:
    """Remove the checkout's line of a variant and release its reservation."""
    return _line_change(checkout, variant_id, 0)


@transaction.atomic
def checkout_email_update(*, checkout: Checkout, email: str) -> Checkout:
    """Set the e-mail address the order confirmation goes to (required, well-formed)."""
    email = _email_clean(email, required=True)
    checkout = _locked(checkout)
    checkout.email = email
    return _renew(checkout, timezone.now(), "email")


@transaction.atomic
def checkout_shipping_address_update(
    *, checkout: Checkout, address: dict[str, Any] | None
) -> Checkout:
    """Set where the parcels go (validated for the destination country); the destination
    country becomes ``shipping_country``, on which delivery and duties depend."""
    address = address_validate(address=address or {}, field="shippingAddress")
    checkout = _locked(checkout)
    checkout.shipping_address = address
    checkout.shipping_country = address["country"]
    return _renew(checkout, timezone.now(), "shipping_address", "shipping_country")


@transaction.atomic
def checkout_billing_address_update(
    *, checkout: Checkout, address: dict[str, Any] | None
) -> Checkout:
    """Set the billing address (validated for its country)."""
    address = address_validate(address=address or {}, field="billingAddress")
    checkout = _locked(checkout)
    checkout.billing_address = address
    return _renew(checkout, timezone.now(), "billing_address")


@transaction.atomic
def checkout_currency_update(*, checkout: Checkout, currency: str) -> Checkout:
    """Show and charge the checkout in another currency we sell in and hold a rate for; a
    rate locked for the old currency no longer applies and is cleared."""
    currency = _currency_clean(currency)
    checkout = _locked(checkout)
    fields = []
    if currency != checkout.currency:
        checkout.currency = currency
        checkout.exchange_rate = None
        checkout.exchange_rate_source = ""
        checkout.exchange_rate_valid_at = None
        checkout.rate_locked_at = None
        fields = [
            "currency",
            "exchange_rate",
            "exchange_rate_source",
            "exchange_rate_valid_at",
            "rate_locked_at",
        ]
    return _renew(checkout, timezone.now(), *fields)


@transaction.atomic
def reservations_release_expired() -> int:
    """Delete reservations past ``expires_at`` (they already hold nothing: availability
    ignores them); returns how many were deleted."""
    deleted, _ = StockReservation.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


@transaction.atomic
def checkouts_delete_expired(*, grace: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete abandoned checkouts that expired more than ``grace`` ago, with their lines,
    deliveries and reservations; completed checkouts stay. Returns how many were deleted."""
    _, deleted = Checkout.objects.filter(
        status=CheckoutStatus.ACTIVE, expires_at__lt=timezone.now() - grace
    ).delete()
    return deleted.get(Checkout._meta.label, 0)


@transaction.atomic
def checkouts_delete_for_person(*, user_id: int, email: str) -> int:
    """Delete a person's checkouts, open or completed, with the stock they hold: the signed-in
    ones, and the guest ones with the same (verified) address, in any case, when ``email``
    is given. Orders keep what they need on their own. Returns how many went."""
    person = Q(user_id=user_id)
    if email:
        person |= Q(user__isnull=True, email__iexact=email)
    deleted, by_model = Checkout.objects.filter(person).delete()
    return by_model.get(Checkout._meta.label, 0)

"""Reads of checkouts and of the stock a buyer may still take."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from market.catalog.models import ProductImage
from market.catalog.selectors import product_list_published
from market.checkout.error_codes import CheckoutErrorCode
from market.checkout.models import Checkout, CheckoutLine, CheckoutStatus, StockReservation
from market.core.errors import DomainError


def _parse_token(token) -> uuid.UUID | None:
    if isinstance(token, uuid.UUID):
        return token
    try:
        return uuid.UUID(str(token))
    except (TypeError, ValueError, AttributeError):
        return None


def checkout_ensure_active(checkout: Checkout) -> Checkout:
    """The checkout itself, or ``already_completed`` / ``expired`` (field ``token``)."""
    if checkout.status == CheckoutStatus.COMPLETED:
        raise DomainError(
            CheckoutErrorCode.ALREADY_COMPLETED,
            "This checkout has already been completed.",
            field="token",
        )
    if checkout.expires_at <= timezone.now():
        raise DomainError(
            CheckoutErrorCode.EXPIRED, "This checkout has expired; start a new one.", field="token"
        )
    return checkout


def _checkout_get(queryset: QuerySet[Checkout], token) -> Checkout:
    parsed = _parse_token(token)
    checkout = queryset.filter(token=parsed).first() if parsed is not None else None
    if checkout is None:
        raise DomainError(CheckoutErrorCode.NOT_FOUND, "No such checkout.", field="token")
    return checkout_ensure_active(checkout)


def checkout_get_active(*, token, lock: bool = False) -> Checkout:
    """The checkout a token holder may use: ``not_found`` for an unknown or malformed token,
    ``expired`` past ``expires_at``, ``already_completed`` once it became an order. With
    ``lock``, its row is locked first (inside a transaction) and then checked."""
    checkouts = Checkout.objects.select_for_update() if lock else Checkout.objects.all()
    return _checkout_get(checkouts, token)


def checkout_get_for_display(*, token) -> Checkout:
    """An active checkout with everything its API type shows, in a fixed number of queries.

    Each line carries ``reserved_by_others`` (unexpired reservations of other checkouts of its
    variant), ``reserved_until`` (when this checkout's reservation of it lapses, or None) and
    ``is_purchasable`` (its product is still on sale), which :func:`checkout_line_problem` reads.
    """
    now = timezone.now()
    others = (
        StockReservation.objects.filter(
            ~Q(checkout_id=OuterRef("checkout_id")),
            variant_id=OuterRef("variant_id"),
            expires_at__gt=now,
        )
        .order_by()
        .values("variant_id")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    own = StockReservation.objects.filter(
        checkout_id=OuterRef("checkout_id"), variant_id=OuterRef("variant_id"), expires_at__gt=now
    ).values("expires_at")[:1]
    lines = (
        CheckoutLine.objects.select_related("variant__product__seller")
        .prefetch_related(
            Prefetch(
                "variant__product__images",
                queryset=ProductImage.objects.order_by("sort_order", "pk"),
            )
        )
        .annotate(
            reserved_by_others=Coalesce(Subquery(others), 0, output_field=IntegerField()),
            reserved_until=Subquery(own),
            is_purchasable=Exists(
                product_list_published().filter(pk=OuterRef("variant__product_id"))
            ),
        )
        .order_by("created_at", "pk")
    )
    return _checkout_get(
        Checkout.objects.prefetch_related(Prefetch("lines", queryset=lines)), token
    )


@dataclass(frozen=True)
class LineProblem:
    """Why a checkout line cannot be bought as it stands (the code completion would refuse
    it with)."""

    code: CheckoutErrorCode
    message: str
    quantity_available: int


def checkout_line_problem(line: CheckoutLine) -> LineProblem | None:
    """What stops a line of :func:`checkout_get_for_display` from being bought, or None.

    A product taken off sale cannot be bought at all; otherwise the line may hold at most
    the stock that other checkouts' unexpired reservations leave (its own reservation counts
    as its own), which another buyer may have taken since the line was added.
    """
    available = max(0, line.variant.stock_quantity - line.reserved_by_others)  # type: ignore[attr-defined]
    if not line.is_purchasable:  # type: ignore[attr-defined]
        return LineProblem(
            CheckoutErrorCode.VARIANT_NOT_AVAILABLE,
            "This item is no longer for sale; remove it to check out.",
            available,
        )
    if available == 0:
        return LineProblem(
            CheckoutErrorCode.OUT_OF_STOCK,
            "Sold out: another buyer took the last one meanwhile; remove it to check out.",
            available,
        )
    if line.quantity > available:
        return LineProblem(
            CheckoutErrorCode.INSUFFICIENT_STOCK,
            f"Only {available} left: another buyer took the rest meanwhile; lower the quantity "
            "to check out.",
            available,
        )
    return None


def reserved_by_others(
    *, variant_ids: Iterable[int], exclude_checkout: Checkout | None = None
) -> dict[int, int]:
    """Units of each variant held by unexpired reservations of checkouts other than
    ``exclude_checkout`` (variants nobody holds are absent)."""
    reservations = StockReservation.objects.filter(
        variant_id__in=list(variant_ids), expires_at__gt=timezone.now()
    )
    if exclude_checkout is not None:
        reservations = reservations.exclude(checkout_id=exclude_checkout.pk)
    return dict(
        reservations.order_by()
        .values("variant_id")
        .annotate(total=Sum("quantity"))
        .values_list("variant_id", "total")
    )


def stock_available(*, variant, exclude_checkout: Checkout | None = None) -> int:
    """Units of ``variant`` a checkout may still take: its ``stock_quantity`` (as loaded: lock
    and reload the row first when the answer decides a write) minus unexpired reservations of
    other checkouts; never negative."""
    held = reserved_by_others(variant_ids=[variant.pk], exclude_checkout=exclude_checkout)
    return max(0, variant.stock_quantity - held.get(variant.pk, 0))

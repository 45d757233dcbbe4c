"""Reads of payout accounts and payouts.

A seller reaches only their own payouts; staff holding ``payouts.manage_payouts`` reach every
payout (the GraphQL layer checks who asks before calling these).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from market.core.errors import require_choice
from market.core.money import base_currency
from market.ledger.selectors import seller_balance_split
from market.orders.models import OrderStatus
from market.payouts.error_codes import PayoutErrorCode
from market.payouts.models import Payout, PayoutAccount, PayoutState
from market.payouts.routes import PayoutStatus, payout_route_for

# Parts that were paid for and not taken back, as ``payouts_create_due`` pays them out.
PAYABLE_PART_STATUSES = (
    OrderStatus.PAID,
    OrderStatus.IN_FULFILMENT,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
)
DELIVERED_PART_STATUSES = (OrderStatus.DELIVERED, OrderStatus.COMPLETED)
IN_FLIGHT = (PayoutState.PENDING, PayoutState.PROCESSING)
MAX_FAILURE_REASON = 300
# Stripe's SDK puts its request id before the message, and network details after it.
_STRIPE_REQUEST_ID = re.compile(r"^Request req_\w+:\s*")


def payout_account_get(*, seller) -> PayoutAccount | None:
    return PayoutAccount.objects.filter(seller=seller).first()


def payout_status_get(*, seller) -> PayoutStatus:
    """What the seller's payout route still needs before it can pay them, and what is ready."""
    return payout_route_for(seller).status(payout_account_get(seller=seller))


def _validated_status(status: str | None) -> str | None:
    if status is not None:
        require_choice(
            status, PayoutState, code=PayoutErrorCode.INVALID, field="status", what="payout status"
        )
    return status


def _for_listing(payouts: QuerySet[Payout]) -> QuerySet[Payout]:
    """What a payout shows (its seller, order number and rate, bank batch) in the same query,
    whatever the page size; newest first."""
    return payouts.select_related("seller", "order_part__order", "bank_batch").order_by(
        "-created_at", "-pk"
    )


def payout_list_for_seller(*, seller, status: str | None = None) -> QuerySet[Payout]:
    """The seller's own payouts (never another seller's), newest first."""
    payouts = Payout.objects.filter(seller=seller)
    if _validated_status(status) is not None:
        payouts = payouts.filter(status=status)
    return _for_listing(payouts)


def payout_list_for_staff(
    *, status: str | None = None, seller_id: int | None = None
) -> QuerySet[Payout]:
    """Every payout (staff holding ``payouts.manage_payouts``), newest first, optionally of one
    status and one seller."""
    payouts = Payout.objects.all()
    if _validated_status(status) is not None:
        payouts = payouts.filter(status=status)
    if seller_id is not None:
        payouts = payouts.filter(seller_id=seller_id)
    return _for_listing(payouts)


def payout_failed_count() -> int:
    """Payouts that failed and wait for staff (the ``market_payouts_failed`` gauge)."""
    return Payout.objects.filter(status=PayoutState.FAILED).count()


def payout_failure_reason(*, payout: Payout) -> str | None:
    """Why a failed payout failed, fit to show its seller: the error's first paragraph without
    Stripe's request id or network details. None unless the payout failed."""
    if payout.status != PayoutState.FAILED or not payout.last_error.strip():
        return None
    message = _STRIPE_REQUEST_ID.sub("", payout.last_error.strip())
    message = " ".join(re.split(r"\n\s*\n", message, maxsplit=1)[0].split())
    if len(message) > MAX_FAILURE_REASON:
        message = message[: MAX_FAILURE_REASON - 1].rstrip() + "…"
    return message or None


# --- What a seller is owed, and where it stands ---------------------------------------------


def _part(**lookups) -> Q:
    """A condition on a ledger entry's order part."""
    return Q(**{f"order_part__{lookup}": value for lookup, value in lookups.items()})


def part_due_condition(*, now: dt.datetime, prefix: str = "") -> Q:
    """The order parts ``payouts_create_due`` pays out at ``now`` (whether or not their payout
    exists yet): delivered more than ``PAYOUT_HOLD_DAYS`` ago, or released by staff, and paid
    for and not taken back. ``prefix`` is the path to the part (``"order_part__"``)."""
    held_until = now - dt.timedelta(days=settings.PAYOUT_HOLD_DAYS)
    return Q(
        **{f"{prefix}status__in": DELIVERED_PART_STATUSES, f"{prefix}delivered_at__lte": held_until}
    ) | Q(
        **{f"{prefix}payout_release__isnull": False, f"{prefix}status__in": PAYABLE_PART_STATUSES}
    )


@dataclass(frozen=True)
class SellerPayoutBalance:
    """What the platform owes a seller now (the ledger's balance, base currency) and where it
    stands; ``held + pending_payout + failed_payout + adjustments == balance``.

    - ``held``: owed for parts not delivered yet, or delivered less than ``PAYOUT_HOLD_DAYS``
      ago (and not released by staff);
    - ``pending_payout``: owed for parts whose hold ended (or that staff released) and not paid
      yet: with a payout pending or processing, or none yet (the next daily run makes it, once
      the seller's payout route is ready);
    - ``failed_payout``: owed for parts whose payout failed;
    - ``adjustments``: the rest, negative when the seller owes (a refund after a part was paid
      out by bank transfer, which cannot be reversed), netted from the next payouts.
    """

    currency: str
    balance: Decimal
    held: Decimal
    pending_payout: Decimal
    failed_payout: Decimal
    adjustments: Decimal
    hold_days: int


def seller_payout_balance(*, seller, now: dt.datetime | None = None) -> SellerPayoutBalance:
    """The seller's balance from the ledger, split by where each order part stands: one query."""
    now = now or timezone.now()
    no_payout = _part(payout__isnull=True)
    due = part_due_condition(now=now, prefix="order_part__")
    held_until = now - dt.timedelta(days=settings.PAYOUT_HOLD_DAYS)
    not_delivered = _part(
        status__in=[s for s in PAYABLE_PART_STATUSES if s not in DELIVERED_PART_STATUSES]
    )
    within_hold = _part(status__in=DELIVERED_PART_STATUSES) & (
        _part(delivered_at__gt=held_until) | _part(delivered_at__isnull=True)
    )
    balance, groups = seller_balance_split(
        seller=seller,
        groups={
            "held": no_payout & _part(payout_release__isnull=True) & (not_delivered | within_hold),
            "pending_payout": (no_payout & due) | _part(payout__status__in=IN_FLIGHT),
            "failed_payout": _part(payout__status=PayoutState.FAILED),
        },
    )
    return SellerPayoutBalance(
        currency=base_currency(),
        balance=balance,
        held=groups["held"],
        pending_payout=groups["pending_payout"],
        failed_payout=groups["failed_payout"],
        adjustments=balance - groups["held"] - groups["pending_payout"] - groups["failed_payout"],
        hold_days=settings.PAYOUT_HOLD_DAYS,
    )

"""Writes to the ledger. Each movement is recorded once: every entry carries a unique key, and
a second recording of the same movement returns what the first one wrote."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from market.core.errors import DomainError
from market.core.money import base_currency, quantize
from market.ledger.allocation import allocate
from market.ledger.error_codes import LedgerErrorCode
from market.ledger.models import Account, EntryKind, LedgerEntry
from market.ledger.selectors import (  # noqa: F401  (balances are read through here too)
    commission_rates,
    part_payable,
    platform_balance,
    platform_commission_rate,
    seller_balance,
)
from market.orders.models import Order, OrderLine, OrderPart, OrderStatus

if TYPE_CHECKING:
    from market.payments.models import Payment, Refund
    from market.payouts.models import Payout
    from market.sellers.models import Seller

HUNDRED = Decimal(100)
ORDER_PAID_KINDS = (
    EntryKind.SALE,
    EntryKind.PLATFORM_FEE,
    EntryKind.SHIPPING,
    EntryKind.DUTIES_COLLECTED,
)
NOT_PAID = (OrderStatus.UNPAID, OrderStatus.CANCELLED)


@dataclass(frozen=True)
class _Planned:
    part: OrderPart
    account: str
    kind: str
    amount_order: Decimal


@transaction.atomic
def ledger_record_order_paid(
    *, order: Order, payment: Payment | None = None, order_locked: bool = False
) -> list[LedgerEntry]:
    """Record where the buyer's money goes, once per order.

    Per part: the goods are split between the seller's share (``sale``) and the platform's
    fee (``platform_fee``) at each line's commission rate; the shipping goes to the seller, who
    posts the parcel; duties collected under DDP go to the platform, which remits them. The
    split is made in the order's currency with largest remainder, so that
    ``order.total_amount`` = shares + fees + shipping + duties to the minor unit; the base
    currency amounts split the order total converted at the order's rate the same way, so they
    add up too. Zero amounts are not recorded.

    Refused: an order not paid (``order_not_paid``), or one whose figures do not add up
    (``order_inconsistent``): nothing is written then. Called again, it writes nothing and
    returns the entries of the first call. ``order_locked``: the caller holds the order's row
    lock and read ``order`` under it (a payment does), so neither is taken again.
    """
    if not order_locked:
        order = Order.objects.select_for_update().get(pk=order.pk)
    existing = list(
        LedgerEntry.objects.filter(order=order, kind__in=ORDER_PAID_KINDS).order_by("pk")
    )
    if existing:
        return existing
    if order.status in NOT_PAID:
        raise DomainError(
            LedgerErrorCode.ORDER_NOT_PAID, f"Order {order.number} is not paid.", field="order"
        )
    planned = _order_paid_plan(order)
    base = base_currency()
    amounts = allocate(_order_total_in_base(order), [p.amount_order for p in planned], base)
    reference = f"payment:{payment.pk}" if payment is not None and payment.pk else ""
    entries = [
        LedgerEntry(
            account=p.account,
            seller_id=p.part.seller_id if p.account == Account.SELLER else None,
            order=order,
            order_part=p.part,
            reference=reference,
            kind=p.kind,
            amount=amount,
            currency=base,
            amount_order=p.amount_order,
            currency_order=order.currency,
            key=f"order:{order.pk}:part:{p.part.pk}:{p.kind}",
        )
        for p, amount in zip(planned, amounts, strict=True)
        if amount or p.amount_order
    ]
    created = LedgerEntry.objects.bulk_create(entries)
    if all(entry.pk is not None for entry in created):
        # PostgreSQL (and SQLite ≥ 3.35) give the new rows' ids back with the insert.
        return sorted(created, key=lambda entry: entry.pk)
    return list(LedgerEntry.objects.filter(key__in=[e.key for e in entries]).order_by("pk"))


def _order_total_in_base(order: Order) -> Decimal:
    if order.currency == base_currency():
        return order.total_amount
    return quantize(order.total_amount * order.exchange_rate, base_currency())


def _order_paid_plan(order: Order) -> list[_Planned]:
    """Each part's four amounts in the order currency, after checking the order adds up."""
    currency = order.currency
    parts = list(OrderPart.objects.filter(order=order).order_by("pk"))
    lines: defaultdict[int, list[tuple[Decimal, int | None]]] = defaultdict(list)
    category_id: int | None  # None once the line's listing has been deleted
    for part_id, total, category_id in (
        OrderLine.objects.filter(part__order=order)
        .order_by("pk")
        .values_list("part_id", "total_amount", "variant__product__category_id")
    ):
        lines[part_id].append((total, category_id))
    _check_adds_up(order, parts, lines)
    rates: dict[int | None, Decimal] = dict(
        commission_rates(
            category_ids={c for ls in lines.values() for _, c in ls if c is not None}
        ).items()
    )
    # A line whose listing was deleted since has no category left: the platform rate applies.
    rates[None] = platform_commission_rate()
    planned = []
    for part in parts:
        seller_weight = fee_weight = Decimal(0)
        for total, category_id in lines[part.pk]:
            rate = rates[category_id]
            fee_weight += total * rate
            seller_weight += total * (HUNDRED - rate)
        share, fee = allocate(part.subtotal_amount, [seller_weight, fee_weight], currency)
        planned += [
            _Planned(part, Account.SELLER, EntryKind.SALE, share),
            _Planned(part, Account.PLATFORM, EntryKind.PLATFORM_FEE, fee),
            _Planned(part, Account.SELLER, EntryKind.SHIPPING, part.shipping_amount),
            _Planned(part, Account.PLATFORM, EntryKind.DUTIES_COLLECTED, part.duties_amount),
        ]
    return planned


def _check_adds_up(
    order: Order, parts: list[OrderPart], lines: Mapping[int, list[tuple[Decimal, int | None]]]
) -> None:
    """The ledger can only split what adds up: lines to each part's goods, goods + shipping +
    duties to each part's total, the parts to the order's total; all in whole minor units."""
    currency = order.currency
    figures = [order.total_amount] + [total for ls in lines.values() for total, _ in ls]
    problems = []
    for part in parts:
        figures += [
            part.subtotal_amount,
            part.shipping_amount,
            part.duties_amount,
            part.total_amount,
        ]
        if sum((total for total, _ in lines[part.pk]), Decimal(0)) != part.subtotal_amount:
            problems.append(f"the lines of part {part.pk} do not add up to its goods")
        if part.subtotal_amount + part.shipping_amount + part.duties_amount != part.total_amount:
            problems.append(f"part {part.pk}'s goods, shipping and duties are not its total")
    if sum((part.total_amount for part in parts), Decimal(0)) != order.total_amount:
        problems.append("the parts do not add up to the order's total")
    if any(figure < 0 or quantize(figure, currency) != figure for figure in figures):
        problems.append(f"an amount is negative or finer than a {currency} minor unit")
    if problems:
        raise DomainError(
            LedgerErrorCode.ORDER_INCONSISTENT,
            f"Order {order.number} cannot be recorded: {'; '.join(problems)}.",
            field="order",
        )


def ledger_record_payout(
    *,
    payout: Payout | None = None,
    payout_id: int | None = None,
    seller: Seller | None = None,
    amount: Decimal | None = None,
    currency: str | None = None,
    part: OrderPart | None = None,
) -> LedgerEntry:
    """Record money paid out to a seller: a negative ``payout`` entry, once per payout.

    Give the ``payout`` (its seller, amount, currency and order part are used), or its id and
    those figures. The amount is positive, in whole minor units (``invalid_amount``), in the
    base currency (``currency_mismatch``); the part, if any, is the seller's (``invalid``).
    The ledger records what happened, so it does not judge whether the seller was owed that
    much (that is checked before the money moves): a balance can go negative. The same payout
    again returns the first entry; with other figures it is refused (``payout_mismatch``).
    """
    if payout is not None:
        payout_id, seller, amount = payout.pk, payout.seller, payout.amount
        currency, part = payout.currency, payout.order_part
    base = base_currency()
    if payout_id is None or seller is None:
        raise DomainError(
            LedgerErrorCode.INVALID, "A payout and its seller are required.", field="payout"
        )
    if currency != base:
        raise DomainError(
            LedgerErrorCode.CURRENCY_MISMATCH,
            f"Payouts are recorded in {base}, not {currency}.",
            field="currency",
        )
    if (
        not isinstance(amount, Decimal)
        or not amount.is_finite()
        or amount <= 0
        or quantize(amount, base) != amount
    ):
        raise DomainError(
            LedgerErrorCode.INVALID_AMOUNT,
            f"A payout is a positive amount in whole {base} minor units.",
            field="amount",
        )
    if part is not None and part.seller_id != seller.pk:
        raise DomainError(
            LedgerErrorCode.INVALID, "The order part is not this seller's.", field="part"
        )
    key = f"payout:{payout_id}"
    try:
        # Written first, read only if it was there already: a payout is recorded once, when it
        # is paid, so the insert is what almost always happens.
        with transaction.atomic():
            existing = LedgerEntry.objects.create(
                key=key,
                account=Account.SELLER,
                seller=seller,
                payout_id=payout_id,
                order_id=part.order_id if part else None,
                order_part=part,
                reference=str(payout_id),
                kind=EntryKind.PAYOUT,
                amount=-amount,
                currency=base,
            )
    except IntegrityError:
        existing = LedgerEntry.objects.get(key=key)
    if (existing.seller_id, existing.amount, existing.order_part_id) != (
        seller.pk,
        -amount,
        part.pk if part else None,
    ):
        raise DomainError(
            LedgerErrorCode.PAYOUT_MISMATCH,
            f"Payout {payout_id} was recorded with other figures.",
            field="payout",
        )
    return existing


SELLER_KINDS = (EntryKind.SALE, EntryKind.SHIPPING)


def _part_sums(part: OrderPart, kinds: Iterable[str]) -> dict[str, tuple[Decimal, Decimal]]:
    """Per account: the sum of the part's entries of ``kinds`` (base, order currency)."""
    sums: dict[str, tuple[Decimal, Decimal]] = {
        Account.SELLER: (Decimal(0), Decimal(0)),
        Account.PLATFORM: (Decimal(0), Decimal(0)),
    }
    for account, amount, amount_order in LedgerEntry.objects.filter(
        order_part=part, kind__in=kinds
    ).values_list("account", "amount", "amount_order"):
        base_sum, order_sum = sums[account]
        sums[account] = (base_sum + amount, order_sum + (amount_order or 0))
    return sums


@transaction.atomic
def ledger_record_refund(*, refund: Refund) -> list[LedgerEntry]:
    """Record a refund to the buyer: negative ``refund`` entries for the seller and the
    platform, once per refund.

    The refunded amount (order currency) is split between the seller (share of the goods and
    shipping) and the platform (fee and duties) in proportion to what each was credited for the
    part when the order was paid, with largest remainder, so the two entries add up to the
    refund to the minor unit; the base amount is the refund at the order's rate, split the same
    way. The refund that empties the part takes exactly what is left on each side, so a part
    refunded in full nets to zero in both currencies. Refused: a refund in another currency than
    the order's (``currency_mismatch``), of a part with no sale recorded (``order_not_paid``), or
    for more than is left of the part (``invalid_amount``). Called again, it writes nothing and
    returns the first entries.
    """
    keys = {account: f"refund:{refund.pk}:{account}" for account in Account.values}
    existing = list(LedgerEntry.objects.filter(key__in=keys.values()).order_by("pk"))
    if existing:
        return existing
    part = OrderPart.objects.select_related("order").get(pk=refund.order_part_id)
    order = part.order
    if refund.currency != order.currency:
        raise DomainError(
            LedgerErrorCode.CURRENCY_MISMATCH,
            f"Order {order.number} is in {order.currency}, not {refund.currency}.",
            field="currency",
        )
    paid = _part_sums(part, ORDER_PAID_KINDS)
    if not any(order_sum for _, order_sum in paid.values()):
        raise DomainError(
            LedgerErrorCode.ORDER_NOT_PAID,
            f"No sale is recorded for part {part.pk}.",
            field="order",
        )
    refunded = _part_sums(part, (EntryKind.REFUND,))
    left = {a: (paid[a][0] + refunded[a][0], paid[a][1] + refunded[a][1]) for a in paid}
    accounts = [Account.SELLER, Account.PLATFORM]
    left_order = sum((left[a][1] for a in accounts), Decimal(0))
    amount = refund.amount
    if amount <= 0 or quantize(amount, order.currency) != amount or amount > left_order:
        raise DomainError(
            LedgerErrorCode.INVALID_AMOUNT,
            f"A refund of {amount} {order.currency} does not fit part {part.pk}: "
            f"{left_order} is left of it.",
            field="amount",
        )
    base = base_currency()
    if amount == left_order:
        split_order = [left[a][1] for a in accounts]
        split_base = [left[a][0] for a in accounts]
    else:
        weights = [paid[a][1] for a in accounts]
        split_order = allocate(amount, weights, order.currency)
        in_base = amount if order.currency == base else quantize(amount * order.exchange_rate, base)
        split_base = allocate(in_base, weights, base)
    entries = [
        LedgerEntry(
            account=account,
            seller_id=part.seller_id if account == Account.SELLER else None,
            order=order,
            order_part=part,
            reference=f"refund:{refund.pk}",
            kind=EntryKind.REFUND,
            amount=-in_base,
            currency=base,
            amount_order=-in_order,
            currency_order=order.currency,
            key=keys[account],
        )
        for account, in_base, in_order in zip(accounts, split_base, split_order, strict=True)
        if in_base or in_order
    ]
    LedgerEntry.objects.bulk_create(entries)
    return list(LedgerEntry.objects.filter(key__in=keys.values()).order_by("pk"))


def ledger_refund_seller_share(*, refund: Refund) -> tuple[Decimal, Decimal]:
    """The seller's part of a recorded refund, positive: (base amount, order-currency amount)."""
    entry = LedgerEntry.objects.filter(key=f"refund:{refund.pk}:{Account.SELLER}").first()
    if entry is None:
        return Decimal(0), Decimal(0)
    return -entry.amount, -(entry.amount_order or Decimal(0))


@transaction.atomic
def ledger_record_transfer_reversal(
    *,
    refund: Refund,
    payout: Payout,
    amount: Decimal,
    amount_order: Decimal,
    stripe_reversal_id: str = "",
) -> LedgerEntry:
    """Record money taken back from a seller's Stripe account after a refund: a positive
    ``reversal`` entry (it undoes that much of the payout), once per refund.

    ``amount`` is the base currency figure (the seller's share of the refund, so that the
    refund and its reversal leave the seller where they were before being paid), positive and
    in whole minor units (``invalid_amount``). The same refund again returns the first entry;
    with other figures it is refused (``payout_mismatch``).
    """
    base = base_currency()
    if not isinstance(amount, Decimal) or amount <= 0 or quantize(amount, base) != amount:
        raise DomainError(
            LedgerErrorCode.INVALID_AMOUNT,
            f"A reversal is a positive amount in whole {base} minor units.",
            field="amount",
        )
    part = payout.order_part
    entry, _ = LedgerEntry.objects.get_or_create(
        key=f"reversal:refund:{refund.pk}",
        defaults={
            "account": Account.SELLER,
            "seller_id": payout.seller_id,
            "payout": payout,
            "order_id": part.order_id,
            "order_part": part,
            "reference": (stripe_reversal_id or f"refund:{refund.pk}")[:64],
            "kind": EntryKind.REVERSAL,
            "amount": amount,
            "currency": base,
            "amount_order": amount_order,
            "currency_order": part.order.currency,
        },
    )
    if (entry.payout_id, entry.amount) != (payout.pk, amount):
        raise DomainError(
            LedgerErrorCode.PAYOUT_MISMATCH,
            f"The reversal for refund {refund.pk} was recorded with other figures.",
            field="payout",
        )
    return entry


@transaction.atomic
def ledger_record_refund_undone(*, refund: Refund) -> list[LedgerEntry]:
    """Record that a recorded refund never reached the buyer (it failed or was cancelled after
    it had succeeded): for each of its ``refund`` entries, one of the opposite amount, once.

    Nothing is changed or deleted: the new entries are ``refund`` entries too (referenced
    ``refund-undone:<id>``), so the part's refunds sum to what the buyer really got back, and
    what is left to refund of the part, what its seller is owed for it (``part_payable``) and
    the balances are what they were before the refund. A transfer reversal made for the refund
    is money that really moved and stays recorded. A refund never recorded writes nothing;
    called again, it writes nothing and returns the first entries.
    """
    originals = list(
        LedgerEntry.objects.filter(
            key__in=[f"refund:{refund.pk}:{account}" for account in Account.values],
            kind=EntryKind.REFUND,
        ).order_by("pk")
    )
    entries = [
        LedgerEntry(
            account=entry.account,
            seller_id=entry.seller_id,
            order_id=entry.order_id,
            order_part_id=entry.order_part_id,
            reference=f"refund-undone:{refund.pk}",
            kind=EntryKind.REFUND,
            amount=-entry.amount,
            currency=entry.currency,
            amount_order=None if entry.amount_order is None else -entry.amount_order,
            currency_order=entry.currency_order,
            key=f"{entry.key}:undone",
        )
        for entry in originals
    ]
    # A racing twin inserted the same keys first: its rows are the same movement.
    LedgerEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return list(LedgerEntry.objects.filter(key__in=[e.key for e in entries]).order_by("pk"))

"""Writes to the ledger. Each movement is recorded once: every entry carries a unique key, and
a second recording of the same movement returns what the first one wrote."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

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

HUNDRED = Decimal(100)
ORDER_PAID_KINDS = (EntryKind.SALE, EntryKind.PLATFORM_FEE, EntryKind.SHIPPING,
                    EntryKind.DUTIES_COLLECTED)
NOT_PAID = (OrderStatus.UNPAID, OrderStatus.CANCELLED)


@dataclass(frozen=True)
class _Planned:
    part: OrderPart
    account: str
    kind: str
    amount_order: Decimal


@transaction.atomic
def ledger_record_order_paid(*, order: Order, payment=None) -> list[LedgerEntry]:
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
    returns the entries of the first call.
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    existing = list(LedgerEntry.objects.filter(order=order, kind__in=ORDER_PAID_KINDS)
                    .order_by("pk"))
    if existing:
        return existing
    if order.status in NOT_PAID:
        raise DomainError(LedgerErrorCode.ORDER_NOT_PAID,
                          f"Order {order.number} is not paid.", field="order")
    planned = _order_paid_plan(order)
    base = base_currency()
    amounts = allocate(_order_total_in_base(order), [p.amount_order for p in planned], base)
    reference = f"payment:{payment.pk}" if getattr(payment, "pk", None) else ""
    entries = [
        LedgerEntry(account=p.account,
                    seller_id=p.part.seller_id if p.account == Account.SELLER else None,
                    order=order, order_part=p.part, reference=reference, kind=p.kind,
                    amount=amount, currency=base, amount_order=p.amount_order,
                    currency_order=order.currency,
                    key=f"order:{order.pk}:part:{p.part.pk}:{p.kind}")
        for p, amount in zip(planned, amounts, strict=True)
        if amount or p.amount_order
    ]
    LedgerEntry.objects.bulk_create(entries)
    return list(LedgerEntry.objects.filter(key__in=[e.key for e in entries]).order_by("pk"))


def _order_total_in_base(order: Order) -> Decimal:
    if order.currency == base_currency():
        return order.total_amount
    return quantize(order.total_amount * order.exchange_rate, base_currency())


def _order_paid_plan(order: Order) -> list[_Planned]:
    """Each part's four amounts in the order currency, after checking the order adds up."""
    currency = order.currency
    parts = list(OrderPart.objects.filter(order=order).order_by("pk"))
    lines = defaultdict(list)
    for part_id, total, category_id in (OrderLine.objects.filter(part__order=order)
                                        .order_by("pk").values_list(
                                            "part_id", "total_amount",
                                            "variant__product__category_id")):
        lines[part_id].append((total, category_id))
    _check_adds_up(order, parts, lines)
    rates = commission_rates(category_ids={c for ls in lines.values() for _, c in ls
                                           if c is not None})
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


def _check_adds_up(order: Order, parts: list[OrderPart], lines: dict) -> None:
    """The ledger can only split what adds up: lines to each part's goods, goods + shipping +
    duties to each part's total, the parts to the order's total; all in whole minor units."""
    currency = order.currency
    figures = [order.total_amount] + [total for ls in lines.values() for total, _ in ls]
    problems = []
    for part in parts:
        figures += [part.subtotal_amount, part.shipping_amount, part.duties_amount,
                    part.total_amount]
        if sum((total for total, _ in lines[part.pk]), Decimal(0)) != part.subtotal_amount:
            problems.append(f"the lines of part {part.pk} do not add up to its goods")
        if part.subtotal_amount + part.shipping_amount + part.duties_amount != part.total_amount:
            problems.append(f"part {part.pk}'s goods, shipping and duties are not its total")
    if sum((part.total_amount for part in parts), Decimal(0)) != order.total_amount:
        problems.append("the parts do not add up to the order's total")
    if any(figure < 0 or quantize(figure, currency) != figure for figure in figures):
        problems.append(f"an amount is negative or finer than a {currency} minor unit")
    if problems:
        raise DomainError(LedgerErrorCode.ORDER_INCONSISTENT,
                          f"Order {order.number} cannot be recorded: {'; '.join(problems)}.",
                          field="order")


@transaction.atomic
def ledger_record_payout(*, payout=None, payout_id=None, seller=None,
                         amount: Decimal | None = None, currency: str | None = None,
                         part: OrderPart | None = None) -> LedgerEntry:
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
        raise DomainError(LedgerErrorCode.INVALID, "A payout and its seller are required.",
                          field="payout")
    if currency != base:
        raise DomainError(LedgerErrorCode.CURRENCY_MISMATCH,
                          f"Payouts are recorded in {base}, not {currency}.", field="currency")
    if (not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0
            or quantize(amount, base) != amount):
        raise DomainError(LedgerErrorCode.INVALID_AMOUNT,
                          f"A payout is a positive amount in whole {base} minor units.",
                          field="amount")
    if part is not None and part.seller_id != seller.pk:
        raise DomainError(LedgerErrorCode.INVALID, "The order part is not this seller's.",
                          field="part")
    key = f"payout:{payout_id}"
    existing = LedgerEntry.objects.filter(key=key).first()
    if existing is None:
        existing, _ = LedgerEntry.objects.get_or_create(key=key, defaults={
            "account": Account.SELLER, "seller": seller, "payout_id": payout_id,
            "order_id": part.order_id if part else None, "order_part": part,
            "reference": str(payout_id), "kind": EntryKind.PAYOUT, "amount": -amount,
            "currency": base})
    if (existing.seller_id, existing.amount, existing.order_part_id) != (
            seller.pk, -amount, part.pk if part else None):
        raise DomainError(LedgerErrorCode.PAYOUT_MISMATCH,
                          f"Payout {payout_id} was recorded with other figures.", field="payout")
    return existing

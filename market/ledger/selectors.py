"""Reads of the ledger: balances are sums of entries, and the commission rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet, Sum

from market.catalog.models import Category
from market.core.money import base_currency, quantize
from market.ledger.models import Account, CategoryCommission, EntryKind, LedgerEntry

if TYPE_CHECKING:
    from market.orders.models import Order, OrderPart
    from market.sellers.models import Seller

# What a seller is owed for an order part before it is paid out: the share of the goods and
# the shipping, less what was refunded (recorded negative). A transfer reversal (positive) is
# the counterpart of a payout, which is not deducted here either, so it is left out too.
PART_PAYABLE_KINDS = (EntryKind.SALE, EntryKind.SHIPPING, EntryKind.REFUND)


def platform_commission_rate() -> Decimal:
    """``settings.MARKET_COMMISSION_RATE``: percent of the goods, 0 to 100."""
    try:
        rate = Decimal(str(settings.MARKET_COMMISSION_RATE))
    except InvalidOperation as error:
        raise ImproperlyConfigured("MARKET_COMMISSION_RATE must be a number (percent).") from error
    if not Decimal(0) <= rate <= Decimal(100):
        raise ImproperlyConfigured("MARKET_COMMISSION_RATE must be between 0 and 100 (percent).")
    return rate


def commission_rates(*, category_ids: Iterable[int]) -> dict[int, Decimal]:
    """The fee rate (percent) of each category: its own override, else its nearest ancestor's,
    else the platform rate."""
    category_ids = set(category_ids)
    platform = platform_commission_rate()
    overrides = dict(CategoryCommission.objects.values_list("category_id", "rate"))
    if not overrides:
        return dict.fromkeys(category_ids, platform)
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    rates = {}
    for category_id in category_ids:
        node: int | None = category_id
        seen: set[int | None] = set()
        # The seen set guards against a parent cycle someone saved by hand.
        while node is not None and node not in overrides and node not in seen:
            seen.add(node)
            node = parents.get(node)
        rates[category_id] = overrides.get(node, platform) if node is not None else platform
    return rates


def commission_rate_for_category(*, category_id: int) -> Decimal:
    return commission_rates(category_ids=[category_id])[category_id]


def _sum(entries: QuerySet[LedgerEntry]) -> Decimal:
    total = entries.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return quantize(total, base_currency())


def seller_balance(*, seller: Seller, currency: str | None = None) -> Decimal:
    """What the platform owes the seller now (base currency unless ``currency`` says)."""
    return _sum(
        LedgerEntry.objects.filter(
            account=Account.SELLER, seller=seller, currency=currency or base_currency()
        )
    )


def platform_balance(*, currency: str | None = None) -> Decimal:
    """What the platform keeps: fees, and duties it holds to remit to customs."""
    return _sum(
        LedgerEntry.objects.filter(account=Account.PLATFORM, currency=currency or base_currency())
    )


def part_payable_now(*, part: OrderPart) -> Decimal:
    """What may be paid out for ``part`` now: its ``part_payable``, capped by its seller's whole
    balance (a refund on a part already paid out by bank leaves a debt netted from later
    payouts). One query: both are sums over the seller's entries."""
    base = base_currency()
    totals = LedgerEntry.objects.filter(
        account=Account.SELLER,
        seller_id=part.seller_id,
        currency=base,
    ).aggregate(
        balance=Sum("amount"),
        payable=Sum("amount", filter=Q(order_part=part, kind__in=PART_PAYABLE_KINDS)),
    )
    return quantize(min(totals["payable"] or Decimal(0), totals["balance"] or Decimal(0)), base)


def part_payable(*, part: OrderPart) -> Decimal:
    """What the seller is owed for one order part (base currency): their share of the goods
    plus the shipping, less refunds recorded for it; payouts (and their reversals) not deducted."""
    return _sum(
        LedgerEntry.objects.filter(
            account=Account.SELLER,
            order_part=part,
            kind__in=PART_PAYABLE_KINDS,
            currency=base_currency(),
        )
    )


def ledger_entries_for_order(*, order: Order) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(order=order).order_by("pk"))


def seller_balance_split(
    *, seller: Seller, groups: Mapping[str, Q], currency: str | None = None
) -> tuple[Decimal, dict[str, Decimal]]:
    """``seller_balance`` and, in the same query, how much of it lies in each group of the
    seller's entries that ``groups`` names (a condition on ``LedgerEntry``, e.g. on its order
    part). Groups may overlap; an entry in no group counts in the balance only."""
    currency = currency or base_currency()
    sums = LedgerEntry.objects.filter(
        account=Account.SELLER,
        seller=seller,
        currency=currency,
    ).aggregate(
        _balance=Sum("amount"),
        **{f"group_{name}": Sum("amount", filter=condition) for name, condition in groups.items()},
    )
    return (
        quantize(sums["_balance"] or Decimal(0), currency),
        {name: quantize(sums[f"group_{name}"] or Decimal(0), currency) for name in groups},
    )

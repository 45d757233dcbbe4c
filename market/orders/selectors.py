"""Reads of orders, and the gatekeepers: the only way to fetch an order someone may touch.

A buyer reaches only their own orders (or one order by its secret token, as a guest); a seller
reaches only their own parts, never another seller's lines nor the buyer's other parts; staff
holding ``orders.manage_orders`` reach everything. Someone else's order or part answers exactly
like a missing one (``not_found``).
"""

from __future__ import annotations

import json
import uuid

from django.db.models import Prefetch, QuerySet

from market.core.errors import DomainError, require_choice
from market.core.money import base_currency
from market.core.selectors import PriceConverter
from market.orders.error_codes import OrderErrorCode
from market.orders.models import (
    CustomsDocument,
    Order,
    OrderEvent,
    OrderLine,
    OrderPart,
    OrderStatus,
)


def _validated_status(status: str | None) -> str | None:
    if status is not None:
        require_choice(status, OrderStatus, code=OrderErrorCode.INVALID, field="status")
    return status


def _with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Parts (with seller), lines and events in one query each, whatever the page size."""
    return orders.prefetch_related(
        Prefetch("parts", queryset=OrderPart.objects.select_related("seller").order_by("pk")),
        Prefetch("parts__lines", queryset=OrderLine.objects.order_by("pk")),
        Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "pk")),
        "payments",
    )


def _not_found(what: str, field: str) -> DomainError:
    return DomainError(OrderErrorCode.NOT_FOUND, f"No such {what}.", field=field)


def orders_for_user(*, user) -> QuerySet[Order]:
    """The signed-in buyer's orders, newest first."""
    return _with_details(Order.objects.filter(user=user)).order_by("-created_at", "-pk")


MAX_ADDRESSES = 10


def addresses_for_user(*, user, limit: int = MAX_ADDRESSES) -> list[dict]:
    """The postal addresses the buyer's orders went to or were billed to, most recently used
    first, each once (at most ``limit``), for the account page and to fill in a checkout."""
    seen: dict[str, dict] = {}
    rows = (
        Order.objects.filter(user=user)
        .order_by("-created_at", "-pk")
        .values_list("shipping_address", "billing_address")
    )
    for shipping, billing in rows.iterator(chunk_size=100):
        for address in (shipping, billing):
            key = json.dumps(address or {}, sort_keys=True)
            if address and key not in seen:
                seen[key] = address
        if len(seen) >= limit:
            break
    return list(seen.values())[:limit]


def order_list_for_staff(*, status: str | None = None) -> QuerySet[Order]:
    """Every order (staff holding ``orders.manage_orders``), newest first."""
    orders = Order.objects.all()
    if _validated_status(status) is not None:
        orders = orders.filter(status=status)
    return _with_details(orders).order_by("-created_at", "-pk")


def order_parts_for_seller(*, seller, status: str | None = None) -> QuerySet[OrderPart]:
    """The seller's own parts of orders (with the order and only their own lines), newest
    first."""
    parts = OrderPart.objects.filter(seller=seller)
    if _validated_status(status) is not None:
        parts = parts.filter(status=status)
    return (
        _parts_with_lines(parts)
        .order_by("-order__created_at", "-pk")
        .prefetch_related(
            Prefetch("customs_documents", queryset=CustomsDocument.objects.order_by("kind"))
        )
    )


def order_get_by_token(*, token, with_details: bool = True) -> Order | None:
    """The order a guest holds the token of (the token is the secret), or None; without
    ``with_details``, its row alone (for a service that locks and reads what it needs)."""
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return None
    orders = Order.objects.filter(token=token)
    return (_with_details(orders) if with_details else orders).first()


def order_get_for_buyer(*, user, order_id: int | None, field: str = "id") -> Order:
    """The signed-in buyer's own order, or ``not_found``."""
    order = (
        Order.objects.filter(user=user, pk=order_id).first() if isinstance(order_id, int) else None
    )
    if order is None:
        raise _not_found("order", field)
    return order


def order_get_for_staff(*, order_id: int | None, field: str = "id") -> Order:
    order = Order.objects.filter(pk=order_id).first() if isinstance(order_id, int) else None
    if order is None:
        raise _not_found("order", field)
    return order


def order_get_by_token_or_404(*, token, field: str = "token", with_details: bool = True) -> Order:
    order = order_get_by_token(token=token, with_details=with_details)
    if order is None:
        raise _not_found("order", field)
    return order


def order_part_get_for_seller(*, seller, part_id: int | None, field: str = "id") -> OrderPart:
    """The seller's own part, or ``not_found`` (another seller's part looks missing)."""
    part = (
        OrderPart.objects.select_related("order").filter(seller=seller, pk=part_id).first()
        if isinstance(part_id, int)
        else None
    )
    if part is None:
        raise _not_found("order part", field)
    return part


def order_part_get_for_staff(*, part_id: int | None, field: str = "id") -> OrderPart:
    part = (
        OrderPart.objects.select_related("order").filter(pk=part_id).first()
        if isinstance(part_id, int)
        else None
    )
    if part is None:
        raise _not_found("order part", field)
    return part


def order_get_with_details(*, order_id: int) -> Order:
    return _with_details(Order.objects.filter(pk=order_id)).get()


def order_part_get_with_details(*, part_id: int) -> OrderPart:
    return _parts_with_lines(OrderPart.objects.filter(pk=part_id)).get()


def _parts_with_lines(parts: QuerySet[OrderPart]) -> QuerySet[OrderPart]:
    return parts.select_related("order", "seller").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))
    )


def order_price_converter(*, order: Order) -> PriceConverter:
    """The rate the order was placed at (locked at checkout): its amounts, and those of its
    payments, refunds and transfers, are shown in its currency with the rate they were paid at."""
    return PriceConverter(
        base=base_currency(),
        currency=order.currency,
        rate=order.exchange_rate,
        source=order.exchange_rate_source,
        valid_at=order.exchange_rate_valid_at,
    )

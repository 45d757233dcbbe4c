"""Orders: the life of an order split per seller, once ``market.checkout`` has placed it.

Cancelling gives stock back under row locks on the variants, taken in ascending primary-key
order (``variants_lock_for_stock``, the order checkout completion takes them in too).

Statuses follow explicit transition tables. Every move is a compare-and-set on the old status
(a racing twin finds zero rows and is refused) plus an ``OrderEvent`` in the same transaction.
The order's own status is *derived* from its parts (see :func:`order_status_roll_up`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from market.catalog.services import variants_lock_for_stock, variants_stock_adjust
from market.core.catalogue_cache import catalogue_changed
from market.core.errors import DomainError
from market.core.state_machine import Outcome, transition
from market.orders.error_codes import OrderErrorCode
from market.orders.models import Order, OrderEvent, OrderLine, OrderPart, OrderStatus

S = OrderStatus
# Where a seller's part may go next. Refunds arrive with payments; the moves exist already.
PART_TRANSITIONS: dict[str, frozenset[str]] = {
    S.UNPAID: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.IN_FULFILMENT, S.CANCELLED, S.REFUNDED}),
    S.IN_FULFILMENT: frozenset({S.SHIPPED, S.CANCELLED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.COMPLETED, S.REFUNDED}),
    S.COMPLETED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}
# An order moves as its slowest live part does, so it may skip steps forward (cancelling the
# only part still "paid" next to a shipped one takes the order from paid to shipped).
PROGRESSION: list[str] = [S.UNPAID, S.PAID, S.IN_FULFILMENT, S.SHIPPED, S.DELIVERED, S.COMPLETED]
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(PROGRESSION[i + 1 :])
    | ({S.CANCELLED} if i < PROGRESSION.index(S.SHIPPED) else frozenset())
    | ({S.REFUNDED} if i > 0 else frozenset())
    for i, status in enumerate(PROGRESSION)
} | {S.CANCELLED: frozenset(), S.REFUNDED: frozenset()}
NOT_YET_SHIPPED = frozenset({S.UNPAID, S.PAID, S.IN_FULFILMENT})
SHIPPED_OR_LATER = frozenset({S.SHIPPED, S.DELIVERED, S.COMPLETED})


# --- Status machines -------------------------------------------------------------------------


def _part_move(
    *, part: OrderPart, to: str, actor, kind: str, note: str = "", **fields
) -> OrderPart:
    """Compare-and-set one part from its current status to ``to``, with its event."""
    current = part.status
    outcome = transition(
        OrderPart.objects,
        pk=part.pk,
        table=PART_TRANSITIONS,
        source=current,
        to=to,
        updates=fields,
        event=lambda old, new: OrderEvent.objects.create(
            order_id=part.order_id,
            part=part,
            kind=kind,
            from_status=old,
            to_status=new,
            actor=actor,
            note=note,
        ),
    )
    if outcome is Outcome.NOT_ALLOWED:
        raise DomainError(
            OrderErrorCode.INVALID_TRANSITION,
            f"A part that is {current} cannot become {to}.",
            field="status",
        )
    if outcome is Outcome.LOST_RACE:
        raise DomainError(
            OrderErrorCode.INVALID_TRANSITION,
            "The part changed meanwhile; reload it and try again.",
            field="status",
        )
    part.status = to
    for name, value in fields.items():
        setattr(part, name, value)
    return part


def order_status_roll_up(statuses: Iterable[str]) -> str:
    """The order's status from its parts' statuses.

    All parts cancelled → cancelled; all parts cancelled or refunded (one refunded at least) →
    refunded; otherwise the order is as far as its *slowest* live part (live: neither cancelled
    nor refunded), e.g. one part shipped and one paid → paid; both shipped → shipped.
    """
    statuses = list(statuses)
    live = [s for s in statuses if s not in (S.CANCELLED, S.REFUNDED)]
    if not live:
        return S.REFUNDED if S.REFUNDED in statuses else S.CANCELLED
    return min(live, key=PROGRESSION.index)


@transaction.atomic
def order_part_move(
    *, part: OrderPart, to: str, actor, kind: str, note: str = "", **fields
) -> OrderPart:
    """Move one part along its status machine (locks, compare-and-set, event) and let the order
    follow its parts: the one door other apps (fulfilment, refunds) use to change a part."""
    moved = _part_move(part=_locked_part(part), to=to, actor=actor, kind=kind, note=note, **fields)
    _order_follow_parts(order=moved.order, actor=actor, note=note)
    return moved


def order_part_can_become(*, part: OrderPart, status: str) -> bool:
    return status in PART_TRANSITIONS[part.status]


@transaction.atomic
def order_part_refund_undo(*, part: OrderPart, actor=None, note: str = "") -> OrderPart:
    """A part refunded in full whose refund then failed (the buyer never got the money back)
    returns to the status it had when it was refunded, and the order follows its parts, back
    too. The only way out of ``refunded``, for the refunds service; a part that is not
    refunded is returned unchanged."""
    part = _locked_part(part)
    if part.status != S.REFUNDED:
        return part
    before = (
        OrderEvent.objects.filter(part=part, to_status=S.REFUNDED)
        .order_by("-pk")
        .values_list("from_status", flat=True)
        .first()
    )
    if before not in {status for status, moves in PART_TRANSITIONS.items() if S.REFUNDED in moves}:
        # No event says (a row changed by hand): the part's own dates tell how far it got.
        before = S.DELIVERED if part.delivered_at else S.SHIPPED if part.shipped_at else S.PAID
    # Out of the table on purpose (``refunded`` is final for everyone else): no table, only the
    # compare-and-set. The part is locked, so the row is still refunded.
    transition(
        OrderPart.objects,
        pk=part.pk,
        table=None,
        source=S.REFUNDED,
        to=before,
        event=lambda old, new: OrderEvent.objects.create(
            order_id=part.order_id,
            part=part,
            kind="refund_undone",
            from_status=old,
            to_status=new,
            actor=actor,
            note=note,
        ),
    )
    part.status = before
    _order_follow_parts(order=part.order, actor=actor, note=note, reopening=True)
    return part


def _order_follow_parts(
    *,
    order: Order,
    actor,
    note: str = "",
    reopening: bool = False,
    current: str | None = None,
    part_statuses: Iterable[str] | None = None,
) -> Order:
    """Move the order to its parts' roll-up, compare-and-set, with an event if it changed
    (``reopening``: a part came back from refunded, so the order may move back too).
    ``current`` and ``part_statuses``, from a caller holding the locks of the order and of all
    its parts, are not read again."""
    if current is None:
        current = Order.objects.filter(pk=order.pk).values_list("status", flat=True).get()
    if part_statuses is None:
        part_statuses = OrderPart.objects.filter(order=order).values_list("status", flat=True)
    target = order_status_roll_up(part_statuses)
    if target != current:
        outcome = transition(
            Order.objects,
            pk=order.pk,
            # Reopening (a part came back from refunded) is the one move outside the table.
            table=None if reopening else ORDER_TRANSITIONS,
            source=current,
            to=target,
            updates={"updated_at": timezone.now()},
            event=lambda old, new: OrderEvent.objects.create(
                order=order,
                kind="status_changed",
                from_status=old,
                to_status=new,
                actor=actor,
                note=note,
            ),
        )
        if outcome is Outcome.NOT_ALLOWED:
            raise DomainError(
                OrderErrorCode.INVALID_TRANSITION,
                f"An order that is {current} cannot become {target}.",
                field="status",
            )
        if outcome is Outcome.LOST_RACE:
            raise DomainError(
                OrderErrorCode.INVALID_TRANSITION,
                "The order changed meanwhile; reload it and try again.",
                field="status",
            )
    order.status = target
    return order


# Every writer locks the order row before any of its parts (payments lock the order, then the
# payment), so a cancel racing a payment webhook queues instead of deadlocking.
def _locked_parts(order: Order) -> list[OrderPart]:
    Order.objects.select_for_update().filter(pk=order.pk).first()
    return list(OrderPart.objects.select_for_update().filter(order=order).order_by("pk"))


def _locked_part(part: OrderPart) -> OrderPart:
    Order.objects.select_for_update().filter(pk=part.order_id).first()
    return OrderPart.objects.select_for_update().get(pk=part.pk)


@transaction.atomic
def order_mark_paid(*, order: Order, actor=None, order_locked: bool = False) -> Order:
    """Every unpaid part becomes paid (staff, or later the payment webhook); an order that is
    not unpaid is refused. ``order_locked``: the caller holds the order's row lock and read
    ``order`` under it (a payment does), so neither is taken again."""
    if order_locked:
        current = order.status
    else:
        current = (
            Order.objects.select_for_update()
            .filter(pk=order.pk)
            .values_list("status", flat=True)
            .get()
        )
    all_parts = list(OrderPart.objects.select_for_update().filter(order=order).order_by("pk"))
    parts = [p for p in all_parts if p.status == S.UNPAID]
    if not parts:
        raise DomainError(
            OrderErrorCode.INVALID_TRANSITION,
            f"Order {order.number} has nothing left to pay.",
            field="id",
        )
    for part in parts:
        _part_move(part=part, to=S.PAID, actor=actor, kind="paid")
    return _order_follow_parts(
        order=order,
        actor=actor,
        current=current,
        part_statuses=[part.status for part in all_parts],
    )


@transaction.atomic
def order_part_start_fulfilment(*, part: OrderPart, actor=None) -> OrderPart:
    """The seller starts making or packing a paid part."""
    part = _part_move(
        part=_locked_part(part), to=S.IN_FULFILMENT, actor=actor, kind="fulfilment_started"
    )
    _order_follow_parts(order=part.order, actor=actor)
    return part


@transaction.atomic
def order_part_mark_shipped(
    *, part: OrderPart, actor=None, carrier: str = "", tracking_number: str = ""
) -> OrderPart:
    """A part in fulfilment leaves the workshop (tracking is noted on the event)."""
    locked = _locked_part(part)
    fields = {"carrier": carrier.strip()[:80]} if carrier.strip() else {}
    part = _part_move(
        part=locked,
        to=S.SHIPPED,
        actor=actor,
        kind="shipped",
        note=tracking_number.strip(),
        **fields,
    )
    _order_follow_parts(order=part.order, actor=actor)
    return part


@transaction.atomic
def order_cancel(
    *, order: Order, actor=None, reason: str = "", by_order_manager: bool = False
) -> Order:
    """Cancel every part not yet shipped and put its units back in stock.

    Refused once any part has shipped (``already_shipped``). A buyer may cancel only an unpaid
    order; an order manager (``by_order_manager``: the caller checked the permission) may
    cancel any order before shipment.
    """
    parts = _locked_parts(order)
    if any(p.status in SHIPPED_OR_LATER for p in parts):
        raise DomainError(
            OrderErrorCode.ALREADY_SHIPPED,
            f"Order {order.number} has shipped already; it cannot be cancelled.",
            field="id",
        )
    order_status = Order.objects.filter(pk=order.pk).values_list("status", flat=True).get()
    if order_status != S.UNPAID and not by_order_manager:
        raise DomainError(
            OrderErrorCode.INVALID_TRANSITION,
            f"Order {order.number} is {order_status}; ask us to cancel it.",
            field="id",
        )
    cancellable = [p for p in parts if p.status in NOT_YET_SHIPPED]
    if not cancellable:
        raise DomainError(
            OrderErrorCode.INVALID_TRANSITION,
            f"Order {order.number} is {order_status}; nothing to cancel.",
            field="id",
        )
    note = reason.strip()
    for part in cancellable:
        _part_move(part=part, to=S.CANCELLED, actor=actor, kind="cancelled", note=note)
    _stock_restore(parts=cancellable)
    return _order_follow_parts(order=order, actor=actor, note=note)


@transaction.atomic
def order_part_cancel(*, part: OrderPart, actor=None, reason: str = "") -> OrderPart:
    """Cancel one seller's part before it ships and put its units back in stock."""
    part = _locked_part(part)
    if part.status in SHIPPED_OR_LATER:
        raise DomainError(
            OrderErrorCode.ALREADY_SHIPPED,
            "This part has shipped already; it cannot be cancelled.",
            field="id",
        )
    note = reason.strip()
    _part_move(part=part, to=S.CANCELLED, actor=actor, kind="cancelled", note=note)
    _stock_restore(parts=[part])
    _order_follow_parts(order=part.order, actor=actor, note=note)
    return part


def _stock_restore(*, parts: list[OrderPart]) -> None:
    quantities: dict[int, int] = defaultdict(int)
    product_ids = set()
    for variant_id, product_id, quantity in OrderLine.objects.filter(
        part__in=parts, variant__isnull=False
    ).values_list("variant_id", "variant__product_id", "quantity"):
        quantities[variant_id] += quantity
        product_ids.add(product_id)
    variants = variants_lock_for_stock(variant_ids=quantities)
    variants_stock_adjust(changes=quantities)
    # Stock coming back after a sell-out shows its product in stock again, and puts it back
    # in the in-stock filter's lists; otherwise only the units on hand change.
    back = {variant.product_id for variant in variants.values() if variant.stock_quantity == 0}
    catalogue_changed(stock_of=product_ids, product_ids=back, stocked=bool(back))


# --- Erasure ---------------------------------------------------------------------------------

ERASED_NAME = "erased"


def _address_anonymised(address: dict) -> dict:
    # The country stays: VAT and duties were charged by it, and the books must show why.
    kept = {"country": address["country"]} if address.get("country") else {}
    return {"name": ERASED_NAME, **kept} if address else {}


@transaction.atomic
def orders_anonymise(*, order_ids: Iterable[int], email: str) -> int:
    """Orders kept for the accounts once their buyer's data is erased: the e-mail becomes
    ``email`` (the erased person's placeholder), every address keeps its country only, with
    "erased" for the name; amounts, lines, statuses, payments and ledger entries stay as they
    were. The buyer's own notes on the orders' events (a reason to cancel) are cleared; staff's
    and sellers' stay. Anonymising an
    anonymised order changes nothing. Returns how many orders changed."""
    changed = 0
    for order in Order.objects.select_for_update().filter(pk__in=list(order_ids)).order_by("pk"):
        shipping = _address_anonymised(order.shipping_address or {})
        billing = _address_anonymised(order.billing_address or {})
        if (order.email, order.shipping_address, order.billing_address) == (
            email,
            shipping,
            billing,
        ):
            continue
        Order.objects.filter(pk=order.pk).update(
            email=email, shipping_address=shipping, billing_address=billing
        )
        if order.user_id is not None:
            OrderEvent.objects.filter(order_id=order.pk, actor_id=order.user_id).update(note="")
        changed += 1
    return changed

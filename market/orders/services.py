"""Orders: completing a checkout into one order split per seller, and the orders' life after.

Completion turns a checkout into an ``Order`` with one ``OrderPart`` per seller, exactly once
per checkout and per idempotency key; stock is taken under row locks on the variants, always
in ascending primary-key order so that two completions can never wait on each other in a cycle.

Statuses follow explicit transition tables. Every move is a compare-and-set on the old status
(a racing twin finds zero rows and is refused) plus an ``OrderEvent`` in the same transaction.
The order's own status is *derived* from its parts (see :func:`order_status_roll_up`).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from market.catalog.models import ProductVariant
from market.catalog.selectors import product_list_published
from market.core.emails import email_enqueue
from market.core.errors import DomainError
from market.core.permissions import StaffPermission, staff_may
from market.core.state_machine import Outcome, transition
from market.orders.checkout_selectors import checkout_get_active
from market.orders.error_codes import CheckoutErrorCode, OrderErrorCode
from market.orders.models import (
    Checkout,
    CheckoutStatus,
    Order,
    OrderEvent,
    OrderLine,
    OrderPart,
    OrderStatus,
    StockReservation,
)
from market.orders.pricing import checkout_quote, checkout_rate_lock

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


# --- Completing a checkout -------------------------------------------------------------------


class _RacedTwin(Exception):
    """Another completion inserted the order first: undo everything, then answer with it."""


def checkout_complete(*, token, idempotency_key: str, user=None) -> Order:
    """Turn the checkout into one order (one part per seller), exactly once.

    - The same ``idempotency_key`` again with the same checkout content returns the same order
      (even though the checkout is completed by then); with different content it is refused
      (``idempotency_key_reused``).
    - A checkout completed already (under another key) is refused (``already_completed``).
    - Each line needs ``quantity ≤ stock − unexpired reservations of other checkouts`` (its own
      reservation counts as available to it), checked under row locks on the variants taken in
      ascending id order; stock is decremented with ``F()`` under those locks.
    - Any refusal leaves the checkout exactly as it was, still usable.
    - The billing address defaults to the shipping address; the e-mail to the signed-in
      buyer's address; exports default to DAP when the buyer chose no Incoterm, and a chosen
      DDP that is no longer offered is refused (``incoterm_not_offered``) rather than quietly
      turned into DAP.
    - The order number is ``CM-`` and the order's primary key in 8 digits (``CM-00000042``):
      unique and readable without a sequence of our own.
    E-mails (buyer confirmation, one per seller with only their part) leave after commit.
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > 128:
        raise DomainError(
            CheckoutErrorCode.INVALID,
            "The idempotency key must be 1 to 128 characters.",
            field="idempotencyKey",
        )
    existing = _order_for_key(token=token, key=key)
    if existing is not None:
        return existing
    try:
        return _checkout_complete_once(token=token, key=key, user=user)
    except _RacedTwin:
        pass
    except DomainError as error:
        if error.code != CheckoutErrorCode.ALREADY_COMPLETED:
            raise
    # A twin request completed the checkout first: if it carried this key, answer with its
    # order; otherwise this request comes too late.
    existing = _order_for_key(token=token, key=key)
    if existing is not None:
        return existing
    raise _already_completed()


def _order_for_key(*, token, key: str) -> Order | None:
    """The order made earlier under ``key`` for this very request, or a refusal if the key was
    used for something else; None when the key is new."""
    order = Order.objects.filter(idempotency_key=key).first()
    if order is None:
        return None
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        token = None
    checkout = Checkout.objects.filter(token=token).first() if token else None
    if checkout is None or _fingerprint(checkout) != order.request_fingerprint:
        raise DomainError(
            CheckoutErrorCode.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was already used for another request.",
            field="idempotencyKey",
        )
    return order


def _already_completed() -> DomainError:
    return DomainError(
        CheckoutErrorCode.ALREADY_COMPLETED,
        "This checkout has already been completed.",
        field="token",
    )


def _fingerprint(checkout: Checkout, lines: list | None = None) -> str:
    """What makes two completion requests "the same": the checkout and everything it buys."""
    pairs = (
        [(line.variant_id, line.quantity) for line in lines]
        if lines is not None
        else checkout.lines.values_list("variant_id", "quantity")
    )
    content = {
        "token": str(checkout.token),
        "lines": sorted(pairs),
        "currency": checkout.currency,
        "shipping_address": checkout.shipping_address,
        "delivery": sorted(checkout.deliveries.values_list("seller_id", "shipping_method_id")),
        "incoterm": checkout.incoterm,
    }
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


@transaction.atomic
def _checkout_complete_once(*, token, key: str, user) -> Order:
    checkout = checkout_get_active(token=token)
    # The checkout row lock makes a twin completion of the same checkout wait here and then see
    # it completed, instead of racing for stock that its twin has just taken.
    checkout = Checkout.objects.select_for_update().get(pk=checkout.pk)
    if checkout.status != CheckoutStatus.ACTIVE:
        raise _RacedTwin
    lines = list(
        checkout.lines.select_related("variant__product__seller").order_by("created_at", "pk")
    )
    email = _validate_for_completion(checkout=checkout, lines=lines, user=user)
    checkout = checkout_rate_lock(checkout=checkout)
    quote = checkout_quote(checkout=checkout)
    _validate_quote(checkout=checkout, quote=quote)
    _allocate_stock(checkout=checkout, lines=lines)
    order, parts = _order_create(
        checkout=checkout, lines=lines, quote=quote, key=key, user=user, email=email
    )
    completed = Checkout.objects.filter(pk=checkout.pk, status=CheckoutStatus.ACTIVE).update(
        status=CheckoutStatus.COMPLETED, updated_at=timezone.now()
    )
    if completed != 1:
        raise _RacedTwin
    _order_placed_emails(order=order, parts=parts, quote=quote)
    return order


def _validate_for_completion(*, checkout: Checkout, lines: list, user) -> str:
    """Refuse a checkout that cannot become an order yet; returns the buyer's e-mail."""
    if not lines:
        raise DomainError(
            CheckoutErrorCode.EMPTY_CHECKOUT, "The checkout has no items.", field="lines"
        )
    email = checkout.email or (getattr(user, "email", "") if user is not None else "")
    if not email:
        raise DomainError(
            CheckoutErrorCode.EMAIL_REQUIRED,
            "Give an e-mail address for the order confirmation.",
            field="email",
        )
    if not checkout.shipping_address or not checkout.shipping_country:
        raise DomainError(
            CheckoutErrorCode.SHIPPING_ADDRESS_REQUIRED,
            "Give a shipping address.",
            field="shippingAddress",
        )
    purchasable = set(
        product_list_published()
        .filter(pk__in={line.variant.product_id for line in lines})
        .values_list("pk", flat=True)
    )
    for index, line in enumerate(lines):
        if line.variant.product_id not in purchasable:
            raise DomainError(
                CheckoutErrorCode.VARIANT_NOT_AVAILABLE,
                f"'{line.variant.product.name}' ({line.variant.sku}) can no "
                "longer be bought; remove it.",
                field=f"lines.{index}",
            )
    return email


def _validate_quote(*, checkout: Checkout, quote) -> None:
    """Every seller's part needs a delivery method that still carries it; a chosen DDP must
    still be offered (exports without a choice go DAP)."""
    chosen = set(checkout.deliveries.values_list("seller_id", flat=True))
    for part in quote.parts:
        if part.shipping_method is None:
            code = (
                CheckoutErrorCode.INVALID_DELIVERY_METHOD
                if part.seller.pk in chosen
                else CheckoutErrorCode.DELIVERY_METHOD_REQUIRED
            )
            raise DomainError(
                code,
                f"Choose a delivery method for the items from {part.seller.name}.",
                field=f"deliveryMethod.{part.seller.slug}",
            )
    if (
        not quote.domestic
        and checkout.incoterm
        and checkout.incoterm not in quote.incoterms_offered
    ):
        raise DomainError(
            CheckoutErrorCode.INCOTERM_NOT_OFFERED,
            f"{checkout.incoterm} is not offered for deliveries to "
            f"{checkout.shipping_country}; choose "
            f"{', '.join(quote.incoterms_offered)}.",
            field="incoterm",
        )


def _allocate_stock(*, checkout: Checkout, lines: list) -> None:
    quantities: dict[int, int] = defaultdict(int)
    for line in lines:
        quantities[line.variant_id] += line.quantity
    variants = _lock_variants(quantities)
    held = dict(
        StockReservation.objects.filter(variant_id__in=quantities, expires_at__gt=timezone.now())
        .exclude(checkout=checkout)
        .values("variant_id")
        .annotate(held=Sum("quantity"))
        .values_list("variant_id", "held")
    )
    for index, line in enumerate(lines):
        available = variants[line.variant_id].stock_quantity - held.get(line.variant_id, 0)
        if available <= 0:
            raise DomainError(
                CheckoutErrorCode.OUT_OF_STOCK,
                f"'{line.variant.product.name}' ({line.variant.sku}) is out of stock.",
                field=f"lines.{index}",
            )
        if line.quantity > available:
            raise DomainError(
                CheckoutErrorCode.INSUFFICIENT_STOCK,
                f"Only {available} of '{line.variant.product.name}' ({line.variant.sku}) left.",
                field=f"lines.{index}",
            )
    for variant_id, quantity in sorted(quantities.items()):
        ProductVariant.objects.filter(pk=variant_id).update(
            stock_quantity=F("stock_quantity") - quantity
        )
    StockReservation.objects.filter(checkout=checkout).delete()


def _lock_variants(variant_ids: Iterable[int]) -> dict[int, ProductVariant]:
    """Row locks on the variants, taken in ascending id order (the one order every writer of
    stock uses, so lockers never wait on each other in a cycle)."""
    rows = (
        ProductVariant.objects.select_for_update(of=("self",))
        .filter(pk__in=list(variant_ids))
        .order_by("pk")
        .only("pk", "stock_quantity")
    )
    return {variant.pk: variant for variant in rows}


def _order_create(
    *, checkout: Checkout, lines: list, quote, key: str, user, email: str
) -> tuple[Order, list[OrderPart]]:
    converter = quote.converter
    order = Order(
        # The checkout's own buyer keeps the order; a guest checkout goes to whoever completes
        # it signed in.
        number=f"tmp-{checkout.token.hex[:16]}",
        user=checkout.user or user,
        email=email,
        checkout_token=checkout.token,
        idempotency_key=key,
        request_fingerprint=_fingerprint(checkout, lines),
        currency=quote.currency,
        exchange_rate=checkout.exchange_rate or converter.rate,
        exchange_rate_source=checkout.exchange_rate_source or converter.source,
        exchange_rate_valid_at=checkout.exchange_rate_valid_at or converter.valid_at,
        shipping_address=checkout.shipping_address,
        billing_address=checkout.billing_address or checkout.shipping_address,
        shipping_country=checkout.shipping_country,
        incoterm=quote.incoterm or "",
        subtotal_amount=quote.subtotal,
        shipping_amount=quote.shipping,
        vat_amount=quote.vat,
        duties_amount=quote.duties,
        duties_estimate_amount=quote.duties_estimate,
        total_amount=quote.total,
        total_base_amount=quote.total_base,
    )
    try:
        with transaction.atomic():
            order.save(force_insert=True)
    except IntegrityError:
        raise _RacedTwin from None
    # Readable and unique without a sequence of our own: the primary key, zero-padded.
    order.number = f"CM-{order.pk:08d}"
    Order.objects.filter(pk=order.pk).update(number=order.number)
    parts = OrderPart.objects.bulk_create(
        [
            OrderPart(
                order=order,
                seller=part.seller,
                shipping_method_name=part.shipping_method.name if part.shipping_method else "",
                carrier=part.shipping_method.carrier if part.shipping_method else "",
                processing_days=part.processing_days,
                transit_days_min=part.transit_days_min,
                transit_days_max=part.transit_days_max,
                subtotal_amount=part.subtotal,
                shipping_amount=part.shipping,
                vat_amount=part.vat,
                duties_amount=part.duties,
                duties_estimate_amount=part.duties_estimate,
                total_amount=part.total,
            )
            for part in quote.parts
        ]
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                part=part,
                variant=lq.variant,
                product_name=lq.product.name,
                variant_name=lq.variant.name,
                sku=lq.variant.sku,
                seller_name=lq.seller.name,
                hs_code=lq.product.hs_code,
                origin_country=str(lq.product.origin_country or ""),
                weight_grams=lq.product.weight_grams,
                quantity=lq.quantity,
                unit_price_base_amount=lq.unit_price_base,
                unit_price_amount=lq.unit_price,
                total_amount=lq.total,
            )
            for part, part_quote in zip(parts, quote.parts, strict=True)
            for lq in part_quote.lines
        ]
    )
    OrderEvent.objects.create(order=order, kind="placed", to_status=OrderStatus.UNPAID, actor=user)
    return order, parts


def _order_placed_emails(*, order: Order, parts: list[OrderPart], quote) -> None:
    """The buyer's confirmation, and each seller's notice of only their own part."""
    currency = order.currency
    link = f"{settings.MARKET_STOREFRONT_URL.rstrip('/')}/orders/{order.token}/"
    summary = "\n".join(
        f"- {line.quantity} × {line.product.name} ({line.seller.name}): {line.total} {currency}"
        for part in quote.parts
        for line in part.lines
    )
    email_enqueue(
        to=order.email,
        subject=f"Your order {order.number}",
        body=(
            f"Thank you for your order {order.number}.\n\n{summary}\n\n"
            f"Items: {order.subtotal_amount} {currency}\n"
            f"Shipping: {order.shipping_amount} {currency}\n"
            f"Duties collected: {order.duties_amount} {currency}\n"
            f"Total: {order.total_amount} {currency}\n\n"
            f"Follow your order: {link}\n"
        ),
    )
    for part, part_quote in zip(parts, quote.parts, strict=True):
        seller = part_quote.seller
        to = seller.contact_email or (seller.user.email if seller.user_id else "")
        if not to:
            continue
        items = "\n".join(
            f"- {line.quantity} × {line.product.name} ({line.variant.sku})"
            for line in part_quote.lines
        )
        email_enqueue(
            to=to,
            subject=f"New order {order.number}",
            body=(
                f"You have a new order, {order.number}, to {order.shipping_country} "
                f"by {part.shipping_method_name}.\n\n{items}\n\n"
                f"Your part: {part.total_amount} {currency}.\n"
            ),
        )


# --- Status machines -------------------------------------------------------------------------


def is_order_manager(actor) -> bool:
    """Staff holding ``orders.manage_orders``: they act on any order, at any stage."""
    return staff_may(actor, StaffPermission.MANAGE_ORDERS)


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


def _order_follow_parts(*, order: Order, actor, note: str = "", reopening: bool = False) -> Order:
    """Move the order to its parts' roll-up, compare-and-set, with an event if it changed
    (``reopening``: a part came back from refunded, so the order may move back too)."""
    current = Order.objects.filter(pk=order.pk).values_list("status", flat=True).get()
    target = order_status_roll_up(
        OrderPart.objects.filter(order=order).values_list("status", flat=True)
    )
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
def order_mark_paid(*, order: Order, actor=None) -> Order:
    """Every unpaid part becomes paid (staff, or later the payment webhook); an order that is
    not unpaid is refused."""
    parts = [p for p in _locked_parts(order) if p.status == S.UNPAID]
    if not parts:
        raise DomainError(
            OrderErrorCode.INVALID_TRANSITION,
            f"Order {order.number} has nothing left to pay.",
            field="id",
        )
    for part in parts:
        _part_move(part=part, to=S.PAID, actor=actor, kind="paid")
    return _order_follow_parts(order=order, actor=actor)


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
def order_cancel(*, order: Order, actor=None, reason: str = "") -> Order:
    """Cancel every part not yet shipped and put its units back in stock.

    Refused once any part has shipped (``already_shipped``). A buyer may cancel only an unpaid
    order; staff holding ``orders.manage_orders`` may cancel any order before shipment.
    """
    parts = _locked_parts(order)
    if any(p.status in SHIPPED_OR_LATER for p in parts):
        raise DomainError(
            OrderErrorCode.ALREADY_SHIPPED,
            f"Order {order.number} has shipped already; it cannot be cancelled.",
            field="id",
        )
    order_status = Order.objects.filter(pk=order.pk).values_list("status", flat=True).get()
    if order_status != S.UNPAID and not is_order_manager(actor):
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
    for variant_id, quantity in OrderLine.objects.filter(
        part__in=parts, variant__isnull=False
    ).values_list("variant_id", "quantity"):
        quantities[variant_id] += quantity
    _lock_variants(quantities)
    for variant_id, quantity in sorted(quantities.items()):
        ProductVariant.objects.filter(pk=variant_id).update(
            stock_quantity=F("stock_quantity") + quantity
        )

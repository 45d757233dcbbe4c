from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from market.core.errors import DomainError
from market.core.state_machine import transition
from market.core.tasks import enqueue_on_commit
from market.ledger.services import ledger_record_order_paid
from market.orders.models import Order, OrderStatus
from market.orders.services import order_mark_paid
from market.payments.error_codes import PaymentErrorCode
from market.payments.gateways import (
    GATEWAYS,
    GatewayResult,
    GatewayRetryable,
    StripeGateway,
    gateway_get,
    to_minor_units,
)
from market.payments.models import (
    OPEN_PAYMENT_STATUSES,
    Payment,
    PaymentEvent,
    PaymentStatus,
    StripeEvent,
)
from market.payments.stripe_inbox import StripeEventRejected, stripe_event_handler

logger = logging.getLogger(__name__)


# --- Payments ----------------------------------------------------------------------------------

MAX_IDEMPOTENCY_KEY = 128


def payment_create(
    *, order: Order, gateway: str | None = None, card: str | None = None, idempotency_key: str
) -> Payment:
    """Start paying ``order`` through ``gateway`` (default ``PAYMENT_GATEWAY``).

    - The amount is the order's total in the order's currency, taken from the order itself:
      a payment for another amount cannot be asked for.
    - Only an unpaid order may be paid (paid or cancelled ones are refused).
    - The same ``idempotency_key`` answers with the same payment; an order has at most one open
      payment (pending or awaiting 3-D Secure), and asking again while it is open answers with
      it (Stripe: one PaymentIntent per checkout). A key already used for another order is
      refused.
    - The gateway is called after the payment row is committed, with idempotency keys derived
      from the payment, so a retry after a crash or a network failure never charges twice.
    - When the gateway does not answer, the payment stays pending (with the PaymentIntent, if
      one was made) and ``gateway_unavailable`` is raised: asking again, with the same key,
      asks the gateway again for the same PaymentIntent. A pending Stripe payment asked again
      with a card is confirmed with it.
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise DomainError(
            PaymentErrorCode.INVALID,
            f"Give an idempotency key of 1 to {MAX_IDEMPOTENCY_KEY} characters.",
            field="idempotencyKey",
        )
    chosen = gateway_get(gateway)
    chosen.check_card(card)
    payment = _payment_open(order=order, gateway=chosen.name, key=key)
    # An open payment found for the order is finished through its own gateway.
    own = chosen if payment.gateway == chosen.name else GATEWAYS[payment.gateway]()
    own_card = card if own is chosen else None
    if payment.status == PaymentStatus.PENDING and (not payment.provider_id or own_card):
        try:
            result = own.start(payment=payment, card=own_card)
        except GatewayRetryable as unanswered:
            if unanswered.known is not None:
                _payment_apply(payment=payment, result=unanswered.known)
            raise _gateway_unavailable() from unanswered
        applied = _payment_apply(payment=payment, result=result)
        if applied is None:
            payment.refresh_from_db()
        else:
            payment = applied
    return payment


def _gateway_unavailable() -> DomainError:
    return DomainError(
        PaymentErrorCode.GATEWAY_UNAVAILABLE,
        "The payment provider is not answering. Try again in a minute: the order will not be "
        "charged twice.",
    )


@transaction.atomic
def _payment_open(*, order: Order, gateway: str, key: str) -> Payment:
    # The order row is locked first, as in payment_succeeded, so that the two never deadlock.
    order = Order.objects.select_for_update().get(pk=order.pk)
    # One read for both: the payment of this key, and the order's open payment.
    found = list(
        Payment.objects.filter(
            Q(idempotency_key=key) | Q(order=order, status__in=OPEN_PAYMENT_STATUSES)
        )
    )
    existing = next((payment for payment in found if payment.idempotency_key == key), None)
    if existing is not None:
        if existing.order_id != order.pk:
            raise DomainError(
                PaymentErrorCode.INVALID,
                "This idempotency key was used for another order.",
                field="idempotencyKey",
            )
        return existing
    # ``found`` is in the payments' order (newest first), as ``first()`` would pick.
    open_payment = next((p for p in found if p.status in OPEN_PAYMENT_STATUSES), None)
    if open_payment is not None:
        return open_payment
    if order.status != OrderStatus.UNPAID:
        raise DomainError(
            PaymentErrorCode.ORDER_NOT_PAYABLE,
            f"Order {order.number} is {order.status}; there is nothing to pay.",
            field="orderToken",
        )
    payment = Payment.objects.create(
        order=order,
        gateway=gateway,
        amount=order.total_amount,
        currency=order.currency,
        amount_minor=to_minor_units(order.total_amount, order.currency),
        idempotency_key=key,
    )
    PaymentEvent.objects.create(payment=payment, to_status=payment.status)
    return payment


@transaction.atomic
def _payment_apply(
    *, payment: Payment, result: GatewayResult, stripe_event_id: str = ""
) -> Payment | None:
    """Record what the gateway answered: its ids first (never replacing ids already known,
    should two requests have started the same payment), then the status it reports. Returns
    the payment as it now stands when its status moved, else None (read it again)."""
    order = _lock_order_of(payment)
    if result.provider_id:
        Payment.objects.filter(pk=payment.pk, provider_id__isnull=True).update(
            provider_id=result.provider_id,
            client_secret=result.client_secret,
            updated_at=timezone.now(),
        )
    if result.status == PaymentStatus.SUCCEEDED:
        return _payment_succeeded(
            payment=payment,
            order=order,
            charge_id=result.charge_id,
            stripe_event_id=stripe_event_id,
        )
    if result.status == PaymentStatus.FAILED:
        return _payment_failed(
            payment=payment,
            code=result.decline_code,
            message=result.failure_message,
            stripe_event_id=stripe_event_id,
        )
    if result.status in (PaymentStatus.REQUIRES_ACTION, PaymentStatus.CANCELLED):
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        moved = _payment_move(
            payment=locked,
            to=result.status,
            next_action=result.next_action,
            stripe_event_id=stripe_event_id,
        )
        return locked if moved else None
    return None


def _lock_order_of(payment: Payment) -> Order:
    """Every change of a payment locks its order's row first, then the payment's: one order of
    locks everywhere, so two changes of one order never wait on each other in a cycle."""
    return Order.objects.select_for_update().get(pk=payment.order_id)


def _payment_move(
    *, payment: Payment, to: str, note: str = "", stripe_event_id: str = "", **fields
) -> bool:
    """Compare-and-set ``payment`` from its current status to ``to``, with its event.

    Returns False, changing nothing, when the move is not allowed or someone moved it first:
    a repeated or late gateway answer never moves a payment backwards or twice.
    """
    updates = {"updated_at": timezone.now(), **fields}
    if not transition(
        Payment.objects,
        pk=payment.pk,
        table=Payment.ALLOWED_TRANSITIONS,
        source=payment.status,
        to=to,
        updates=updates,
        event=lambda old, new: PaymentEvent.objects.create(
            payment=payment,
            from_status=old,
            to_status=new,
            note=note,
            stripe_event_id=stripe_event_id,
        ),
    ):
        return False
    payment.status = to
    for name, value in updates.items():
        setattr(payment, name, value)
    return True


@transaction.atomic
def payment_succeeded(*, payment: Payment, charge_id: str = "", stripe_event_id: str = "") -> bool:
    """The single place where a payment becomes succeeded; returns whether it did just now.

    In the same transaction the order becomes paid and the ledger records the sale; the
    sellers are told after commit (``fulfilment.order_paid``). A payment that succeeded already
    changes nothing. Money taken for an order that is no longer unpaid (paid by another
    payment, or cancelled meanwhile) is recorded on the payment, and the order is left alone.
    """
    moved = _payment_succeeded(
        payment=payment,
        order=_lock_order_of(payment),
        charge_id=charge_id,
        stripe_event_id=stripe_event_id,
    )
    return moved is not None


def _payment_succeeded(
    *, payment: Payment, order: Order, charge_id: str, stripe_event_id: str
) -> Payment | None:
    """``payment_succeeded`` for a caller that holds the lock of the payment's ``order`` (read
    under it); the payment as it now stands, or None when it did not move."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    order_payable = order.status == OrderStatus.UNPAID
    note = "" if order_payable else f"Order was {order.status} already: the money is to refund."
    if not _payment_move(
        payment=payment,
        to=PaymentStatus.SUCCEEDED,
        note=note,
        stripe_event_id=stripe_event_id,
        next_action=None,
        stripe_charge_id=charge_id or payment.stripe_charge_id,
    ):
        return None
    if not order_payable:
        logger.warning(
            "Payment %s succeeded for order %s, which is %s", payment.pk, order.number, order.status
        )
        return payment
    order_mark_paid(order=order, actor=None, order_locked=True)
    ledger_record_order_paid(order=order, payment=payment, order_locked=True)
    enqueue_on_commit("fulfilment.order_paid", order_id=order.pk)
    return payment


@transaction.atomic
def payment_failed(*, payment: Payment, code: str, message: str, stripe_event_id: str = "") -> bool:
    """An open payment failed (declined, or 3-D Secure refused); returns whether it moved.

    A payment that succeeded, failed or was cancelled already stays as it is. The order stays
    unpaid: the buyer may pay again with a new idempotency key.
    """
    _lock_order_of(payment)
    return (
        _payment_failed(
            payment=payment, code=code, message=message, stripe_event_id=stripe_event_id
        )
        is not None
    )


def _payment_failed(
    *, payment: Payment, code: str, message: str, stripe_event_id: str
) -> Payment | None:
    """``payment_failed`` for a caller that holds the lock of the payment's order."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status not in OPEN_PAYMENT_STATUSES:
        return None
    moved = _payment_move(
        payment=payment,
        to=PaymentStatus.FAILED,
        note=message,
        stripe_event_id=stripe_event_id,
        next_action=None,
        decline_code=(code or "declined")[:64],
        failure_message=message,
    )
    return payment if moved else None


def payment_confirm(*, payment: Payment, authenticated: bool = True) -> Payment:
    """After the buyer's 3-D Secure step: the gateway says whether the payment succeeded.

    Only a payment awaiting action (or, with Stripe, still pending) may be confirmed.
    """
    allowed = {PaymentStatus.REQUIRES_ACTION}
    if payment.gateway == StripeGateway.name:
        allowed.add(PaymentStatus.PENDING)
    if payment.status not in allowed or not payment.provider_id:
        raise DomainError(
            PaymentErrorCode.INVALID_TRANSITION,
            f"A payment that is {payment.status} needs no confirmation.",
            field="paymentId",
        )
    try:
        result = gateway_get(payment.gateway).confirm(payment=payment, authenticated=authenticated)
    except GatewayRetryable as unanswered:
        raise _gateway_unavailable() from unanswered
    applied = _payment_apply(payment=payment, result=result)
    if applied is None:
        payment.refresh_from_db()
        return payment
    return applied


# --- Stripe events -----------------------------------------------------------------------------


def _payment_for_intent(event: StripeEvent) -> tuple[Payment | None, dict]:
    """The payment of the event's PaymentIntent; by the metadata we sent when a crash kept us
    from storing the PaymentIntent's id."""
    intent = event.payload["data"]["object"]
    intent_id = intent.get("id") or None
    payment = Payment.objects.filter(provider_id=intent_id).first()
    payment_id = str((intent.get("metadata") or {}).get("payment_id") or "")
    if payment is None and intent_id and payment_id.isdigit():
        payment = Payment.objects.filter(pk=int(payment_id), provider_id__isnull=True).first()
        if payment is not None:
            _lock_order_of(payment)
            if (
                Payment.objects.filter(pk=payment.pk, provider_id__isnull=True).update(
                    provider_id=intent_id
                )
                != 1
            ):
                payment = Payment.objects.filter(provider_id=intent_id).first()
    return payment, intent


@stripe_event_handler("payment_intent.succeeded")
def _payment_intent_succeeded(event: StripeEvent) -> bool:
    payment, intent = _payment_for_intent(event)
    if payment is None:
        return False
    amount = intent.get("amount")
    received = intent.get("amount_received", amount)
    currency = str(intent.get("currency") or "").upper()
    if (amount, received, currency) != (
        payment.amount_minor,
        payment.amount_minor,
        payment.currency,
    ):
        raise StripeEventRejected(
            f"Amount mismatch: PaymentIntent {intent.get('id')} reports {received} of {amount} "
            f"{currency} (minor units); payment {payment.pk} is {payment.amount_minor} "
            f"{payment.currency}."
        )
    result = StripeGateway.result(intent)
    return payment_succeeded(
        payment=payment, charge_id=result.charge_id, stripe_event_id=event.event_id
    )


@stripe_event_handler("payment_intent.payment_failed")
def _payment_intent_failed(event: StripeEvent) -> bool:
    payment, intent = _payment_for_intent(event)
    if payment is None:
        return False
    error = intent.get("last_payment_error") or {}
    message = error.get("message") or "The payment failed."
    return payment_failed(
        payment=payment,
        code=error.get("code") or "card_declined",
        message=message,
        stripe_event_id=event.event_id,
    )

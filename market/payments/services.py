from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from market.core.errors import DomainError
from market.core.json_limits import json_storable
from market.core.tasks import enqueue_on_commit
from market.orders.models import Order, OrderStatus
from market.payments.error_codes import PaymentErrorCode
from market.payments.gateways import (
    GATEWAYS,
    GatewayResult,
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
    StripeEventStatus,
)

logger = logging.getLogger(__name__)

# 9999-12-31T23:59:59Z, the last second a datetime holds.
_LATEST_EVENT_TIMESTAMP = 253402300799


def stripe_event_receive(*, payload: dict) -> tuple[StripeEvent, bool]:
    """Store a verified webhook event once and queue it for a worker; returns (event, is_new).

    A repeat delivery of a stored event id changes nothing and queues nothing.
    """
    if not (isinstance(payload, dict) and isinstance(payload.get("id"), str) and payload["id"]
            and isinstance(payload.get("type"), str)
            and isinstance(payload.get("created"), int)):
        raise DomainError(PaymentErrorCode.INVALID_EVENT,
                          "A Stripe event needs an id, a type and a created time.")
    # What the columns and jsonb cannot hold would fail in the database (a 500, not a refusal).
    if (len(payload["id"]) > StripeEvent._meta.get_field("event_id").max_length
            or len(payload["type"]) > StripeEvent._meta.get_field("type").max_length
            or not isinstance(payload.get("account") or "", str)
            or len(payload.get("account") or "") > StripeEvent._meta.get_field("account").max_length
            or not 0 <= payload["created"] <= _LATEST_EVENT_TIMESTAMP
            or not json_storable(payload)):
        raise DomainError(PaymentErrorCode.INVALID_EVENT,
                          "The Stripe event has a field that is too long, out of range or not "
                          "storable text.")
    with transaction.atomic():
        event, is_new = StripeEvent.objects.get_or_create(
            event_id=payload["id"],
            defaults={
                "type": payload["type"],
                "account": payload.get("account") or "",
                "payload": payload,
                "created": dt.datetime.fromtimestamp(payload["created"], tz=dt.UTC),
            },
        )
        if is_new:
            enqueue_on_commit("payments.process_stripe_event", event_id=event.event_id)
    return event, is_new


def stripe_events_sweep(*, now: dt.datetime | None = None) -> list[str]:
    """Queue again the events stored but never processed: received longer than
    ``STRIPE_EVENT_SWEEP_AFTER_SECONDS`` ago (the message to the worker was lost, e.g. the
    broker was down when the event committed). Stripe will not help: its next delivery of the
    same event is a repeat, which queues nothing. Safe, because processing is once per event."""
    stale = ((now or timezone.now())
             - dt.timedelta(seconds=settings.STRIPE_EVENT_SWEEP_AFTER_SECONDS))
    event_ids = list(StripeEvent.objects
                     .filter(status=StripeEventStatus.RECEIVED, received_at__lte=stale)
                     .order_by("received_at")
                     .values_list("event_id", flat=True)[:settings.STRIPE_EVENT_SWEEP_BATCH])
    for event_id in event_ids:
        enqueue_on_commit("payments.process_stripe_event", event_id=event_id)
    if event_ids:
        logger.warning("Re-queued %d Stripe events never processed.", len(event_ids))
    return event_ids


# --- Payments ----------------------------------------------------------------------------------

MAX_IDEMPOTENCY_KEY = 128


def payment_create(*, order: Order, gateway: str | None = None, card: str | None = None,
                   idempotency_key: str) -> Payment:
    """Start paying ``order`` through ``gateway`` (default ``PAYMENT_GATEWAY``).

    - The amount is the order's total in the order's currency, taken from the order itself:
      a payment for another amount cannot be asked for.
    - Only an unpaid order may be paid (paid or cancelled ones are refused).
    - The same ``idempotency_key`` answers with the same payment; an order has at most one open
      payment (pending or awaiting 3-D Secure), and asking again while it is open answers with
      it (Stripe: one PaymentIntent per checkout). A key already used for another order is
      refused.
    - The gateway is called after the payment row is committed, with an idempotency key derived
      from the payment, so a retry after a crash or a network failure never charges twice.
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise DomainError(PaymentErrorCode.INVALID,
                          f"Give an idempotency key of 1 to {MAX_IDEMPOTENCY_KEY} characters.",
                          field="idempotencyKey")
    chosen = gateway_get(gateway)
    chosen.check_card(card)
    payment = _payment_open(order=order, gateway=chosen.name, key=key)
    if payment.status == PaymentStatus.PENDING and not payment.provider_id:
        # An open payment found for the order is finished through its own gateway.
        own = chosen if payment.gateway == chosen.name else GATEWAYS[payment.gateway]()
        result = own.start(payment=payment, card=card if own is chosen else None)
        _payment_apply(payment=payment, result=result)
        payment.refresh_from_db()
    return payment


@transaction.atomic
def _payment_open(*, order: Order, gateway: str, key: str) -> Payment:
    # The order row is locked first, as in payment_succeeded, so that the two never deadlock.
    order = Order.objects.select_for_update().get(pk=order.pk)
    existing = Payment.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.order_id != order.pk:
            raise DomainError(PaymentErrorCode.INVALID,
                              "This idempotency key was used for another order.",
                              field="idempotencyKey")
        return existing
    open_payment = order.payments.filter(status__in=OPEN_PAYMENT_STATUSES).first()
    if open_payment is not None:
        return open_payment
    if order.status != OrderStatus.UNPAID:
        raise DomainError(PaymentErrorCode.ORDER_NOT_PAYABLE,
                          f"Order {order.number} is {order.status}; there is nothing to pay.",
                          field="orderToken")
    payment = Payment.objects.create(
        order=order, gateway=gateway, amount=order.total_amount, currency=order.currency,
        amount_minor=to_minor_units(order.total_amount, order.currency), idempotency_key=key)
    PaymentEvent.objects.create(payment=payment, to_status=payment.status)
    return payment


@transaction.atomic
def _payment_apply(*, payment: Payment, result: GatewayResult, stripe_event_id: str = "") -> bool:
    """Record what the gateway answered: its ids first (never replacing ids already known,
    should two requests have started the same payment), then the status it reports."""
    _lock_order_of(payment)
    if result.provider_id:
        Payment.objects.filter(pk=payment.pk, provider_id__isnull=True).update(
            provider_id=result.provider_id, client_secret=result.client_secret,
            updated_at=timezone.now())
    if result.status == PaymentStatus.SUCCEEDED:
        return payment_succeeded(payment=payment, charge_id=result.charge_id,
                                 stripe_event_id=stripe_event_id)
    if result.status == PaymentStatus.FAILED:
        return payment_failed(payment=payment, code=result.decline_code,
                              message=result.failure_message, stripe_event_id=stripe_event_id)
    if result.status in (PaymentStatus.REQUIRES_ACTION, PaymentStatus.CANCELLED):
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        return _payment_move(payment=locked, to=result.status, next_action=result.next_action,
                             stripe_event_id=stripe_event_id)
    return False


def _lock_order_of(payment: Payment) -> Order:
    """Every change of a payment locks its order's row first, then the payment's: one order of
    locks everywhere, so two changes of one order never wait on each other in a cycle."""
    return Order.objects.select_for_update().get(pk=payment.order_id)


def _payment_move(*, payment: Payment, to: str, note: str = "", stripe_event_id: str = "",
                  **fields) -> bool:
    """Compare-and-set ``payment`` from its current status to ``to``, with its event.

    Returns False, changing nothing, when the move is not allowed or someone moved it first:
    a repeated or late gateway answer never moves a payment backwards or twice.
    """
    current = payment.status
    if to not in Payment.ALLOWED_TRANSITIONS[current]:
        return False
    moved = Payment.objects.filter(pk=payment.pk, status=current).update(
        status=to, updated_at=timezone.now(), **fields)
    if moved != 1:
        return False
    PaymentEvent.objects.create(payment=payment, from_status=current, to_status=to, note=note,
                                stripe_event_id=stripe_event_id)
    payment.status = to
    for name, value in fields.items():
        setattr(payment, name, value)
    return True


@transaction.atomic
def payment_succeeded(*, payment: Payment, charge_id: str = "",
                      stripe_event_id: str = "") -> bool:
    """The single place where a payment becomes succeeded; returns whether it did just now.

    In the same transaction the order becomes paid and the ledger records the sale; the
    sellers are told after commit (``fulfilment.order_paid``). A payment that succeeded already
    changes nothing. Money taken for an order that is no longer unpaid (paid by another
    payment, or cancelled meanwhile) is recorded on the payment, and the order is left alone.
    """
    order = _lock_order_of(payment)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    order_payable = order.status == OrderStatus.UNPAID
    note = "" if order_payable else f"Order was {order.status} already: the money is to refund."
    if not _payment_move(payment=payment, to=PaymentStatus.SUCCEEDED, note=note,
                         stripe_event_id=stripe_event_id, next_action=None,
                         stripe_charge_id=charge_id or payment.stripe_charge_id):
        return False
    if not order_payable:
        logger.warning("Payment %s succeeded for order %s, which is %s", payment.pk,
                       order.number, order.status)
        return True
    from market.orders.services import order_mark_paid

    order_mark_paid(order=order, actor=None)
    _ledger_record_order_paid(order=order, payment=payment)
    enqueue_on_commit("fulfilment.order_paid", order_id=order.pk)
    return True


def _ledger_record_order_paid(*, order: Order, payment: Payment) -> None:
    try:
        from market.ledger.services import ledger_record_order_paid
    except ImportError:  # the ledger arrives in the same issue; until then nothing to record
        logger.error("market.ledger.services.ledger_record_order_paid is missing: order %s "
                     "was paid without ledger entries", order.number)
        return
    ledger_record_order_paid(order=order, payment=payment)


@transaction.atomic
def payment_failed(*, payment: Payment, code: str, message: str,
                   stripe_event_id: str = "") -> bool:
    """An open payment failed (declined, or 3-D Secure refused); returns whether it moved.

    A payment that succeeded, failed or was cancelled already stays as it is. The order stays
    unpaid: the buyer may pay again with a new idempotency key.
    """
    _lock_order_of(payment)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status not in OPEN_PAYMENT_STATUSES:
        return False
    return _payment_move(payment=payment, to=PaymentStatus.FAILED, note=message,
                         stripe_event_id=stripe_event_id, next_action=None,
                         decline_code=(code or "declined")[:64], failure_message=message)


def payment_confirm(*, payment: Payment, authenticated: bool = True) -> Payment:
    """After the buyer's 3-D Secure step: the gateway says whether the payment succeeded.

    Only a payment awaiting action (or, with Stripe, still pending) may be confirmed.
    """
    allowed = {PaymentStatus.REQUIRES_ACTION}
    if payment.gateway == StripeGateway.name:
        allowed.add(PaymentStatus.PENDING)
    if payment.status not in allowed or not payment.provider_id:
        raise DomainError(PaymentErrorCode.INVALID_TRANSITION,
                          f"A payment that is {payment.status} needs no confirmation.",
                          field="paymentId")
    result = gateway_get(payment.gateway).confirm(payment=payment, authenticated=authenticated)
    _payment_apply(payment=payment, result=result)
    payment.refresh_from_db()
    return payment


# --- Stripe events -----------------------------------------------------------------------------

class _EventRejected(Exception):
    """The event contradicts what we know (e.g. another amount): fail it, retrying won't help."""


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
            if Payment.objects.filter(pk=payment.pk, provider_id__isnull=True).update(
                    provider_id=intent_id) != 1:
                payment = Payment.objects.filter(provider_id=intent_id).first()
    return payment, intent


def _payment_intent_succeeded(event: StripeEvent) -> bool:
    payment, intent = _payment_for_intent(event)
    if payment is None:
        return False
    amount = intent.get("amount")
    received = intent.get("amount_received", amount)
    currency = str(intent.get("currency") or "").upper()
    if (amount, received, currency) != (payment.amount_minor, payment.amount_minor,
                                        payment.currency):
        raise _EventRejected(
            f"Amount mismatch: PaymentIntent {intent.get('id')} reports {received} of {amount} "
            f"{currency} (minor units); payment {payment.pk} is {payment.amount_minor} "
            f"{payment.currency}.")
    result = StripeGateway.result(intent)
    return payment_succeeded(payment=payment, charge_id=result.charge_id,
                             stripe_event_id=event.event_id)


def _payment_intent_failed(event: StripeEvent) -> bool:
    payment, intent = _payment_for_intent(event)
    if payment is None:
        return False
    error = intent.get("last_payment_error") or {}
    message = error.get("message") or "The payment failed."
    return payment_failed(payment=payment, code=error.get("code") or "card_declined",
                          message=message, stripe_event_id=event.event_id)


def _account_updated(event: StripeEvent) -> bool:
    from market.payouts.services import payout_account_sync_from_stripe

    return payout_account_sync_from_stripe(account=event.payload["data"]["object"],
                                           event_created=event.payload["created"])


def _transfer_event(event: StripeEvent) -> bool:
    from market.payouts.stripe_events import payout_transfer_event_apply

    return payout_transfer_event_apply(transfer=event.payload["data"]["object"],
                                       stripe_event_id=event.event_id)


def _bank_payout_event(event: StripeEvent) -> bool:
    from market.payouts.stripe_events import payout_account_bank_payout_apply

    return payout_account_bank_payout_apply(
        stripe_account_id=event.account, stripe_payout=event.payload["data"]["object"],
        event_type=event.type, event_created=event.payload["created"],
        stripe_event_id=event.event_id)


def _charge_refunded(event: StripeEvent) -> bool:
    from market.payments.refunds import refunds_reconcile_charge

    return refunds_reconcile_charge(charge=event.payload["data"]["object"],
                                    stripe_event_id=event.event_id)


def _refund_event(event: StripeEvent) -> bool:
    from market.payments.refunds import refunds_apply_stripe_refund

    stripe_refund = event.payload["data"]["object"]
    if not isinstance(stripe_refund, dict) or stripe_refund.get("object") != "refund":
        return False
    return refunds_apply_stripe_refund(stripe_refund=stripe_refund,
                                       stripe_event_id=event.event_id)


# Event type → handler; a handler returns whether the event changed anything.
_HANDLERS: dict[str, Callable[[StripeEvent], bool]] = {
    "account.updated": _account_updated,
    "payment_intent.succeeded": _payment_intent_succeeded,
    "payment_intent.payment_failed": _payment_intent_failed,
    "transfer.created": _transfer_event,
    "transfer.updated": _transfer_event,
    "transfer.reversed": _transfer_event,
    "payout.paid": _bank_payout_event,
    "payout.failed": _bank_payout_event,
    "charge.refunded": _charge_refunded,
    # A refund's news: charge.refund.updated for some payment methods; the refund.* events for
    # every refund from API version 2024-10-28.acacia on. One handler: a refund only moves
    # forward, so the same news twice (or an older one late) changes nothing.
    "charge.refund.updated": _refund_event,
    "refund.created": _refund_event,
    "refund.updated": _refund_event,
    "refund.failed": _refund_event,
}


def _transition(event: StripeEvent, new: StripeEventStatus, *, error: str = "") -> bool:
    old = event.status
    if new not in StripeEvent.ALLOWED_TRANSITIONS.get(old, set()):
        return False
    changed = StripeEvent.objects.filter(pk=event.pk, status=old).update(
        status=new, error=error, processed_at=timezone.now())
    return bool(changed)


def stripe_event_process(*, event_id: str) -> StripeEvent:
    """Apply a stored Stripe event once: dispatch by type, then mark it processed or ignored.

    Unsupported types, unknown accounts or PaymentIntents and stale events are marked ignored;
    an event that contradicts our records (a PaymentIntent of another amount or currency than
    its payment) is marked failed with the reason and changes nothing. The handler and the
    status change commit together, and the status moves by compare-and-set, so running twice
    (or in two workers at once) applies the event once. A failing handler leaves the event
    ``failed`` with the error, to be retried.
    """
    if not StripeEvent.objects.filter(event_id=event_id).exists():
        raise DomainError(PaymentErrorCode.NOT_FOUND, f"No stored event {event_id}.")
    try:
        with transaction.atomic():
            event = StripeEvent.objects.select_for_update().get(event_id=event_id)
            if event.status not in StripeEvent.ALLOWED_TRANSITIONS:
                return event
            handler = _HANDLERS.get(event.type)
            applied = handler(event) if handler is not None else False
            _transition(event, StripeEventStatus.PROCESSED if applied
                        else StripeEventStatus.IGNORED)
    except _EventRejected as rejected:
        logger.error("Stripe event %s rejected: %s", event_id, rejected)
        with transaction.atomic():
            event = StripeEvent.objects.select_for_update().get(event_id=event_id)
            _transition(event, StripeEventStatus.FAILED, error=str(rejected)[:2000])
    except Exception as error:
        logger.exception("Stripe event %s failed", event_id)
        with transaction.atomic():
            event = StripeEvent.objects.select_for_update().get(event_id=event_id)
            _transition(event, StripeEventStatus.FAILED, error=repr(error)[:2000])
        raise
    event.refresh_from_db()
    return event

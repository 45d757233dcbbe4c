"""Refunds: money given back to a buyer for one seller's part of an order, once.

A refund is asked for with an idempotency key. It is written ``pending`` (under the order's
lock, so two refunds of one part never both fit) and, when that commits, queued for a worker
(``payments.send_refund`` → :func:`refund_send`): the worker claims it by compare-and-set,
asks the gateway outside any transaction with a key derived from the refund (so a retry never
refunds twice), and retries with backoff while the gateway cannot answer; a refusal, or
``REFUND_MAX_ATTEMPTS`` unanswered attempts, fails it with the reason. A sweeper re-queues a
refund whose message was lost (:func:`refunds_sweep`). When it succeeds, in one transaction the
refund becomes ``succeeded``, the ledger records it, and a part refunded in full becomes
``refunded``. If the seller was already paid for the part through Stripe, the seller's share
is taken back by a transfer reversal (one per refund, by its own idempotency key): payouts
queues that, told by the listener it registers here (payments never imports payouts); if not,
the part's payout is made from ``part_payable``, which already nets the refund.

Stripe settles some refunds later (``pending``), and a refund it reported succeeded may still
fail or be cancelled (the card was closed, the bank sent the money back). Its refund events
(``charge.refund.updated``, ``refund.created`` / ``updated`` / ``failed``) and the refunds listed
in ``charge.refunded`` are applied by :func:`refunds_apply_stripe_refund`: a refund only moves
forward (pending → succeeded → failed; failed is final), so repeated and late events change
nothing. A refund that fails after it succeeded is undone once by :func:`refund_failed`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from market.core.errors import DomainError
from market.core.money import from_minor_units, quantize
from market.core.state_machine import transition
from market.core.tasks import enqueue_on_commit
from market.ledger.allocation import allocate
from market.ledger.models import LedgerEntry
from market.ledger.services import (
    ledger_record_refund,
    ledger_record_refund_undone,
    ledger_record_transfer_reversal,
)
from market.orders.models import Order, OrderPart, OrderStatus
from market.orders.services import (
    order_part_can_become,
    order_part_move,
    order_part_refund_undo,
)
from market.payments.error_codes import PaymentErrorCode
from market.payments.gateways import GATEWAYS, GatewayRetryable, RefundResult
from market.payments.models import (
    Payment,
    PaymentStatus,
    Refund,
    RefundEvent,
    RefundSource,
    RefundStatus,
    StripeEvent,
)
from market.payments.stripe_client import stripe_client
from market.payments.stripe_inbox import stripe_event_handler

logger = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY = 128
MAX_REASON = 500
COUNTED = (RefundStatus.PENDING, RefundStatus.SUCCEEDED)
SHIPPED_OR_LATER = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)

# What the apps above payments need to hear of refunds, filled in their AppConfig.ready():
# payments never imports them. Listeners are called with the refund inside the transaction in
# which it succeeded, once; they never call out themselves: work outside the database (a Stripe
# transfer reversal) they queue with ``enqueue_on_commit``.
_refund_succeeded_listeners: list[Callable[..., None]] = []
# Sources of what staff must still do by hand when a succeeded refund failed: called with
# ``refund`` and ``part`` (locked), each returns a text or "".
_failed_refund_attention_sources: list[Callable[..., str]] = []


def refund_succeeded_listener(listener: Callable[..., None]) -> Callable[..., None]:
    """Register ``listener(refund=...)``, called when a refund succeeds (see above)."""
    if listener not in _refund_succeeded_listeners:
        _refund_succeeded_listeners.append(listener)
    return listener


def failed_refund_attention_source(source: Callable[..., str]) -> Callable[..., str]:
    """Register ``source(refund=..., part=...) -> str`` (see above)."""
    if source not in _failed_refund_attention_sources:
        _failed_refund_attention_sources.append(source)
    return source


def refund_gateway_key(refund: Refund) -> str:
    """The key the gateway sees: derived from the refund, so every retry is the same refund."""
    return f"refund-{refund.pk}"


def part_refundable(*, part: OrderPart) -> Decimal:
    """What is left to refund of a part (order currency): its total less pending and
    succeeded refunds."""
    refunded = Refund.objects.filter(order_part=part, status__in=COUNTED).aggregate(
        total=Sum("amount")
    )["total"] or Decimal(0)
    return part.total_amount - refunded


def refund_create(
    *,
    part: OrderPart,
    reason: str,
    idempotency_key: str,
    amount: Decimal | None = None,
    actor=None,
    by_order_manager: bool = False,
) -> Refund:
    """Refund ``amount`` (default: all that is left) of a seller's part to the buyer.

    - An order manager (``by_order_manager``: the caller checked the permission) may refund
      any time; anyone else (the part's seller) only before the part ships
      (``already_shipped``).
    - The order must have been paid (a payment succeeded): else ``not_paid``.
    - The amount is in the order's currency, positive and in whole minor units
      (``invalid_amount``), and at most what is left of the part (``refund_exceeds_paid``).
    - The same ``idempotency_key`` answers with the same refund (queued again while it was
      never sent); the same key with another part, amount or reason is refused
      (``idempotency_conflict``).
    Refused requests write nothing. The refund is answered ``pending``: a worker sends it to the
    gateway after the commit (:func:`refund_send`) and it moves on from there.
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise DomainError(
            PaymentErrorCode.INVALID,
            f"Give an idempotency key of 1 to {MAX_IDEMPOTENCY_KEY} characters.",
            field="idempotencyKey",
        )
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise DomainError(
            PaymentErrorCode.INVALID,
            f"Give a reason of 1 to {MAX_REASON} characters.",
            field="reason",
        )
    return _refund_open(
        part=part,
        reason=reason,
        key=key,
        amount=amount,
        actor=actor,
        by_order_manager=by_order_manager,
    )


def _fingerprint_matches(refund: Refund, *, part: OrderPart, amount, reason: str) -> bool:
    return (
        refund.order_part_id == part.pk
        and refund.reason == reason
        and (amount is None or refund.amount == amount)
    )


@transaction.atomic
def _refund_open(
    *, part: OrderPart, reason: str, key: str, amount, actor, by_order_manager: bool
) -> Refund:
    # The order row first, as payments and the order status machine lock it.
    order = Order.objects.select_for_update().get(pk=part.order_id)
    part = OrderPart.objects.select_for_update().get(pk=part.pk)
    existing = Refund.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if not _fingerprint_matches(existing, part=part, amount=amount, reason=reason):
            raise DomainError(
                PaymentErrorCode.IDEMPOTENCY_CONFLICT,
                "This idempotency key was used for another refund.",
                field="idempotencyKey",
            )
        if existing.status == RefundStatus.PENDING and not existing.provider_id:
            # Asked again while it was never sent: nudge it (a second task sends nothing twice).
            enqueue_on_commit("payments.send_refund", refund_id=existing.pk)
        return existing
    if not by_order_manager and part.status in SHIPPED_OR_LATER:
        raise DomainError(
            PaymentErrorCode.ALREADY_SHIPPED,
            "This part has shipped: ask us to refund it.",
            field="partId",
        )
    payment = (
        Payment.objects.filter(order=order, status=PaymentStatus.SUCCEEDED).order_by("pk").first()
    )
    if payment is None:
        raise DomainError(
            PaymentErrorCode.NOT_PAID,
            f"Order {order.number} was not paid: there is nothing to refund.",
            field="partId",
        )
    left = part_refundable(part=part)
    if amount is None:
        amount = left
    elif not amount.is_finite() or amount <= 0 or quantize(amount, order.currency) != amount:
        raise DomainError(
            PaymentErrorCode.INVALID_AMOUNT,
            f"A refund is a positive amount in whole {order.currency} minor units.",
            field="amount",
        )
    if amount <= 0 or amount > left:
        raise DomainError(
            PaymentErrorCode.REFUND_EXCEEDS_PAID,
            f"Only {left} {order.currency} of this part is left to refund.",
            field="amount",
        )
    refund = Refund.objects.create(
        payment=payment,
        order_part=part,
        amount=amount,
        currency=order.currency,
        reason=reason,
        idempotency_key=key,
        requested_by=actor if actor is not None and actor.is_authenticated else None,
    )
    RefundEvent.objects.create(refund=refund, to_status=refund.status)
    enqueue_on_commit("payments.send_refund", refund_id=refund.pk)
    return refund


def refund_send(*, refund_id: int) -> Refund | None:
    """Send a pending refund to its gateway, once: what the ``payments.send_refund`` task does.

    The refund is claimed by compare-and-set (pending, never sent, and no other worker sending
    it, or that worker silent for ``REFUND_SWEEP_AFTER_SECONDS``), so of two runs one sends and
    the other does nothing. The gateway is asked outside any transaction with the key
    :func:`refund_gateway_key`, so a retry is the same refund. Its answer is applied under a
    compare-and-set: succeeded (ledger, part, listeners), failed with the gateway's reason, or
    pending at the gateway (its id kept; Stripe's events settle it). When the gateway cannot
    answer (``GatewayRetryable``) the claim is let go and the error raised for the task to
    retry with backoff, until ``REFUND_MAX_ATTEMPTS`` attempts: then the refund fails with the
    last error. Returns the refund as it is now (None for an unknown id)."""
    refund = _refund_claim(refund_id=refund_id, now=timezone.now())
    if refund is None:
        return Refund.objects.filter(pk=refund_id).first()
    payment = refund.payment
    try:
        result = GATEWAYS[payment.gateway]().refund(
            payment=payment,
            amount=refund.amount,
            idempotency_key=refund_gateway_key(refund),
            metadata={"refund_id": str(refund.pk), "order_part_id": str(refund.order_part_id)},
        )
    except GatewayRetryable as error:
        if not _refund_attempt_failed(refund=refund, error=str(error)):
            raise
    else:
        _refund_apply(refund=refund, result=result)
    refund.refresh_from_db()
    return refund


@transaction.atomic
def _refund_claim(*, refund_id: int, now: dt.datetime) -> Refund | None:
    refund = Refund.objects.select_related("payment").filter(pk=refund_id).first()
    if refund is None or refund.status != RefundStatus.PENDING or refund.provider_id:
        return None  # unknown, settled, or sent already (the gateway's events settle it)
    stale = now - dt.timedelta(seconds=settings.REFUND_SWEEP_AFTER_SECONDS)
    if refund.sending_since is not None and refund.sending_since > stale:
        return None  # another worker is sending it
    attempt = refund.attempts + 1
    claimed = transition(
        # Compare-and-set on the status and on the claim as read: one of two runs wins.
        Refund.objects.filter(
            provider_id="", sending_since=refund.sending_since, attempts=refund.attempts
        ),
        pk=refund.pk,
        table=None,  # pending stays pending: the move is the claim
        source=RefundStatus.PENDING,
        to=RefundStatus.PENDING,
        updates={"sending_since": now, "attempts": attempt, "updated_at": now},
        event=lambda old, new: RefundEvent.objects.create(
            refund=refund, from_status=old, to_status=new, note=f"sent (attempt {attempt})"
        ),
    )
    if not claimed:
        return None
    refund.sending_since, refund.attempts = now, attempt
    return refund


@transaction.atomic
def _refund_attempt_failed(*, refund: Refund, error: str) -> bool:
    """The gateway did not answer: fail the refund after ``REFUND_MAX_ATTEMPTS`` attempts
    (returns True), else let go of the claim for the next attempt (False)."""
    if refund.attempts >= settings.REFUND_MAX_ATTEMPTS:
        logger.error("Refund %s failed after %s attempts: %s", refund.pk, refund.attempts, error)
        refund_failed(
            refund=refund,
            failure_message=f"The payment provider did not answer after {refund.attempts} "
            f"attempts ({error})."[:MAX_REASON],
        )
        return True
    logger.warning("Refund %s attempt %s failed, will retry: %s", refund.pk, refund.attempts, error)
    Refund.objects.filter(pk=refund.pk, sending_since=refund.sending_since).update(
        sending_since=None, updated_at=timezone.now()
    )
    return False


@transaction.atomic
def refunds_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again the refunds asked for here and never sent: pending, without the gateway's id,
    untouched for ``REFUND_SWEEP_AFTER_SECONDS`` (the message was lost, or the worker sending
    it died). Safe, because :func:`refund_send` claims by compare-and-set and sends with the
    refund's own key."""
    stale = (now or timezone.now()) - dt.timedelta(seconds=settings.REFUND_SWEEP_AFTER_SECONDS)
    ids = list(
        Refund.objects.filter(
            status=RefundStatus.PENDING,
            source=RefundSource.MARKET,
            provider_id="",
            updated_at__lte=stale,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for refund_id in ids:
        enqueue_on_commit("payments.send_refund", refund_id=refund_id)
    if ids:
        logger.warning("Re-queued %d refunds never sent to the gateway.", len(ids))
    return ids


@transaction.atomic
def _refund_apply(*, refund: Refund, result: RefundResult, stripe_event_id: str = "") -> bool:
    Order.objects.select_for_update().get(pk=refund.order_part.order_id)
    if result.provider_id:
        Refund.objects.filter(pk=refund.pk, provider_id="").update(
            provider_id=result.provider_id, updated_at=timezone.now()
        )
    if result.status == RefundStatus.SUCCEEDED:
        return refund_succeeded(refund=refund, stripe_event_id=stripe_event_id)
    if result.status == RefundStatus.FAILED:
        return refund_failed(
            refund=refund, failure_message=result.failure_message, stripe_event_id=stripe_event_id
        )
    return False


def _refund_move(
    *, refund: Refund, to: str, note: str = "", stripe_event_id: str = "", **fields
) -> bool:
    """Compare-and-set the refund's status, with its event; False (nothing changed) when the
    move is not allowed or happened already."""
    current = Refund.objects.filter(pk=refund.pk).values_list("status", flat=True).get()
    if not transition(
        Refund.objects,
        pk=refund.pk,
        table=Refund.ALLOWED_TRANSITIONS,
        source=current,
        to=to,
        updates={"updated_at": timezone.now(), **fields},
        event=lambda old, new: RefundEvent.objects.create(
            refund=refund,
            from_status=old,
            to_status=new,
            note=note,
            stripe_event_id=stripe_event_id,
        ),
    ):
        return False
    refund.status = to
    return True


@transaction.atomic
def refund_succeeded(*, refund: Refund, stripe_event_id: str = "") -> bool:
    """The single place where a refund becomes succeeded; returns whether it did just now.

    In the same transaction the ledger records it, and a part with nothing left to refund
    becomes refunded (the order follows its parts). A part that cannot become refunded (it was
    cancelled) keeps its status.
    """
    # The order row first, then its part: the lock order every writer of orders keeps.
    Order.objects.select_for_update().get(pk=refund.order_part.order_id)
    part = OrderPart.objects.select_for_update().get(pk=refund.order_part_id)
    if not _refund_move(refund=refund, to=RefundStatus.SUCCEEDED, stripe_event_id=stripe_event_id):
        return False
    refund.refresh_from_db()
    ledger_record_refund(refund=refund)
    if part_refundable(part=part) == 0 and order_part_can_become(
        part=part, status=OrderStatus.REFUNDED
    ):
        order_part_move(
            part=part,
            to=OrderStatus.REFUNDED,
            actor=refund.requested_by,
            kind="refunded",
            note=refund.reason,
        )
    for listener in _refund_succeeded_listeners:
        listener(refund=refund)
    return True


@transaction.atomic
def refund_record_reversal(
    *, refund: Refund, payout, amount: Decimal, amount_order: Decimal, stripe_reversal_id: str
) -> None:
    """Record a transfer reversal Stripe made for ``refund`` (the seller's share taken back from
    ``payout``), whatever became of the refund meanwhile: the money moved.
    Under the order's lock, as a refund fails, so that exactly one of the two sees the other:
    a reversal recorded after its refund failed is flagged for staff here."""
    Order.objects.select_for_update().get(pk=refund.order_part.order_id)
    entry = ledger_record_transfer_reversal(
        refund=refund,
        payout=payout,
        amount=amount,
        amount_order=amount_order,
        stripe_reversal_id=stripe_reversal_id,
    )
    if (
        Refund.objects.filter(pk=refund.pk).values_list("status", flat=True).get()
        == RefundStatus.FAILED
    ):
        _refund_attention_add(refund=refund, text=_reversal_attention(entry))


@transaction.atomic
def refund_failed(*, refund: Refund, failure_message: str = "", stripe_event_id: str = "") -> bool:
    """The single place where a refund becomes failed; returns whether it did just now.

    A pending refund simply stops counting against its part. A refund that had succeeded never
    reached the buyer after all, so in the same transaction what its success wrote is undone,
    once: the ledger gets entries opposite to its refund entries (nothing is changed or
    deleted), and a part it had made refunded returns to the status it had (the order
    follows). Money that really moved is not moved back here: if a Stripe transfer reversal
    took the seller's share back, or the part had been paid out, the refund is flagged for
    staff (``attention``: the seller is owed that again). A failed refund stays failed.
    """
    # The order row first, then its part: the lock order every writer of orders keeps.
    Order.objects.select_for_update().get(pk=refund.order_part.order_id)
    part = OrderPart.objects.select_for_update().get(pk=refund.order_part_id)
    was = Refund.objects.filter(pk=refund.pk).values_list("status", flat=True).get()
    message = failure_message or "The refund failed."
    if not _refund_move(
        refund=refund,
        to=RefundStatus.FAILED,
        note=message,
        stripe_event_id=stripe_event_id,
        failure_message=message,
    ):
        return False
    if was != RefundStatus.SUCCEEDED:
        return True
    ledger_record_refund_undone(refund=refund)
    if part.status == OrderStatus.REFUNDED:
        order_part_refund_undo(
            part=part, actor=None, note=f"Refund {refund.pk} failed after it succeeded: {message}"
        )
    attention = _failed_refund_attention(refund=refund, part=part)
    if attention:
        _refund_attention_add(refund=refund, text=attention)
    return True


def _reversal_attention(entry) -> str:
    return (
        f"Stripe transfer reversal {entry.reference} took {entry.amount_order} "
        f"{entry.currency_order} ({entry.amount} {entry.currency}) back from the seller for "
        f"this refund, which then failed: the seller is owed it again (their ledger balance "
        f"shows it). Pay it back by hand, e.g. with a new transfer."
    )


def _failed_refund_attention(*, refund: Refund, part: OrderPart) -> str:
    """What staff must do by hand after a succeeded refund failed: money that moved for it and
    that nothing will put right by itself (a transfer reversal here, or what the apps that
    pay sellers report)."""
    reversal = LedgerEntry.objects.filter(key=f"reversal:refund:{refund.pk}").first()
    if reversal is not None:
        return _reversal_attention(reversal)
    return "\n".join(
        text
        for source in _failed_refund_attention_sources
        if (text := source(refund=refund, part=part))
    )


def _refund_attention_add(*, refund: Refund, text: str) -> None:
    current = Refund.objects.filter(pk=refund.pk).values_list("attention", flat=True).get()
    if text in current:
        return
    logger.error("Refund %s needs staff: %s", refund.pk, text)
    refund.attention = f"{current}\n{text}" if current else text
    Refund.objects.filter(pk=refund.pk).update(
        attention=refund.attention, updated_at=timezone.now()
    )


# --- Stripe: charge.refunded and the refund events ---------------------------------------------


def _stripe_refunds_of(charge: dict) -> list[dict]:
    listed = charge.get("refunds")
    if isinstance(listed, dict) and not listed.get("has_more"):
        return list(listed.get("data") or [])
    return [
        r.to_dict()
        for r in stripe_client()
        .v1.refunds.list(params={"charge": charge["id"], "limit": 100})
        .auto_paging_iter()
    ]


def refunds_reconcile_charge(*, charge: dict, stripe_event_id: str = "") -> bool:
    """Apply a ``charge.refunded`` event (inside the dispatcher's transaction): each refund the
    charge lists is applied as :func:`refunds_apply_stripe_refund` applies one. Returns whether
    anything changed."""
    intent_id = charge.get("payment_intent")
    payment = (
        Payment.objects.filter(provider_id=intent_id, status=PaymentStatus.SUCCEEDED).first()
        if intent_id
        else None
    )
    if payment is None:
        return False
    Order.objects.select_for_update().get(pk=payment.order_id)
    changed = False
    for stripe_refund in _stripe_refunds_of(charge):
        changed |= _stripe_refund_apply(
            payment=payment, stripe_refund=stripe_refund, stripe_event_id=stripe_event_id
        )
    return changed


def refunds_apply_stripe_refund(*, stripe_refund: dict, stripe_event_id: str = "") -> bool:
    """Apply what Stripe says of one refund now (``charge.refund.updated``, ``refund.created``,
    ``refund.updated``, ``refund.failed``; inside the dispatcher's transaction).

    The refund is ours when the ``refund_id`` metadata we send names it, or by its Stripe id
    (a dashboard refund split over parts is one row per part). Then:

    - ``succeeded``: a pending refund of ours succeeds (ledger, part, a transfer reversal
      queued); one made in the Stripe dashboard is recorded, split over the order's parts in
      proportion to what is left of each.
    - ``failed`` / ``canceled``: the refund becomes failed (:func:`refund_failed` undoes a
      success once); a dashboard refund we never recorded is recorded failed, so that an older
      event that still shows it succeeded cannot record it later.
    - ``pending`` / ``requires_action``: nothing moves (a refund never goes back).

    Returns whether anything changed; a refund of a payment we do not know changes nothing.
    """
    payment = _payment_of_stripe_refund(stripe_refund)
    if payment is None or not stripe_refund.get("id"):
        return False
    Order.objects.select_for_update().get(pk=payment.order_id)
    return _stripe_refund_apply(
        payment=payment, stripe_refund=stripe_refund, stripe_event_id=stripe_event_id
    )


def _stripe_id(value) -> str:
    return (value.get("id") if isinstance(value, dict) else value) or ""


def _payment_of_stripe_refund(stripe_refund: dict) -> Payment | None:
    succeeded = Payment.objects.filter(status=PaymentStatus.SUCCEEDED)
    intent_id = _stripe_id(stripe_refund.get("payment_intent"))
    if intent_id:
        return succeeded.filter(provider_id=intent_id).first()
    charge_id = _stripe_id(stripe_refund.get("charge"))
    return succeeded.filter(stripe_charge_id=charge_id).first() if charge_id else None


def _stripe_failure_message(stripe_refund: dict) -> str:
    reason = stripe_refund.get("failure_reason") or "unknown"
    if stripe_refund.get("status") == "canceled":
        return f"Stripe cancelled the refund ({reason})."
    return f"The refund failed at Stripe ({reason})."


def _stripe_refund_apply(*, payment: Payment, stripe_refund: dict, stripe_event_id: str) -> bool:
    """One Stripe refund of ``payment`` (its order locked by the caller); see
    :func:`refunds_apply_stripe_refund`."""
    status = stripe_refund.get("status")
    ours = _our_refunds(payment, stripe_refund)
    if status == "succeeded":
        if not ours:
            return bool(
                _dashboard_refund_record(
                    payment=payment, stripe_refund=stripe_refund, stripe_event_id=stripe_event_id
                )
            )
        changed = False
        for refund in ours:
            if refund.status == RefundStatus.PENDING:
                changed |= _refund_apply(
                    refund=refund,
                    stripe_event_id=stripe_event_id,
                    result=RefundResult(RefundStatus.SUCCEEDED, provider_id=stripe_refund["id"]),
                )
        return changed
    if status in ("failed", "canceled"):
        message = _stripe_failure_message(stripe_refund)
        if not ours:
            return bool(
                _dashboard_refund_record(
                    payment=payment,
                    stripe_refund=stripe_refund,
                    stripe_event_id=stripe_event_id,
                    failure_message=message,
                )
            )
        changed = False
        for refund in ours:
            changed |= _refund_apply(
                refund=refund,
                stripe_event_id=stripe_event_id,
                result=RefundResult(
                    RefundStatus.FAILED, provider_id=stripe_refund["id"], failure_message=message
                ),
            )
        return changed
    for refund in ours:
        # Still pending at Stripe: only learn its id, should the gateway's answer have been lost.
        _refund_apply(
            refund=refund,
            stripe_event_id=stripe_event_id,
            result=RefundResult(RefundStatus.PENDING, provider_id=stripe_refund["id"]),
        )
    return False


def _our_refunds(payment: Payment, stripe_refund: dict) -> list[Refund]:
    refund_id = str((stripe_refund.get("metadata") or {}).get("refund_id") or "")
    if refund_id.isdigit():
        found = Refund.objects.filter(pk=int(refund_id), payment=payment).first()
        if found is not None:
            return [found]
    return list(
        Refund.objects.filter(payment=payment, provider_id=stripe_refund["id"]).order_by("pk")
    )


def _dashboard_refund_record(
    *, payment: Payment, stripe_refund: dict, stripe_event_id: str, failure_message: str = ""
) -> list[Refund]:
    """Record a refund made in the Stripe dashboard, one row per part: succeeded, split in
    proportion to what is left of each part; or, given a ``failure_message``, failed (nothing
    to record in the ledger), split in proportion to the parts' totals."""
    currency = str(stripe_refund.get("currency") or "").upper()
    if currency != payment.currency:
        logger.error(
            "Stripe refund %s is in %s; payment %s is in %s",
            stripe_refund["id"],
            currency,
            payment.pk,
            payment.currency,
        )
        return []
    amount = from_minor_units(int(stripe_refund.get("amount") or 0), currency)
    parts = list(
        OrderPart.objects.select_for_update().filter(order_id=payment.order_id).order_by("pk")
    )
    weights = (
        [part.total_amount for part in parts]
        if failure_message
        else [part_refundable(part=part) for part in parts]
    )
    if amount <= 0 or (not failure_message and amount > sum(weights, Decimal(0))):
        logger.error(
            "Stripe refund %s of %s %s is more than is left of order %s",
            stripe_refund["id"],
            amount,
            currency,
            payment.order_id,
        )
        return []
    status = RefundStatus.FAILED if failure_message else RefundStatus.PENDING
    created = []
    for part, share in zip(
        parts, allocate(quantize(amount, currency), weights, currency), strict=True
    ):
        if share <= 0:
            continue
        refund = Refund.objects.create(
            payment=payment,
            order_part=part,
            amount=share,
            currency=currency,
            source=RefundSource.STRIPE,
            reason="Refunded in the Stripe dashboard",
            idempotency_key=f"stripe-{stripe_refund['id']}-part-{part.pk}",
            provider_id=stripe_refund["id"],
            status=status,
            failure_message=failure_message,
        )
        RefundEvent.objects.create(
            refund=refund,
            to_status=refund.status,
            note=failure_message,
            stripe_event_id=stripe_event_id,
        )
        if not failure_message:
            refund_succeeded(refund=refund, stripe_event_id=stripe_event_id)
        created.append(refund)
    return created


@stripe_event_handler("charge.refunded")
def _charge_refunded(event: StripeEvent) -> bool:
    return refunds_reconcile_charge(
        charge=event.payload["data"]["object"], stripe_event_id=event.event_id
    )


# A refund's news: charge.refund.updated for some payment methods; the refund.* events for
# every refund from API version 2024-10-28.acacia on. One handler: a refund only moves
# forward, so the same news twice (or an older one late) changes nothing.
@stripe_event_handler("charge.refund.updated", "refund.created", "refund.updated", "refund.failed")
def _refund_event(event: StripeEvent) -> bool:
    stripe_refund = event.payload["data"]["object"]
    if not isinstance(stripe_refund, dict) or stripe_refund.get("object") != "refund":
        return False
    return refunds_apply_stripe_refund(stripe_refund=stripe_refund, stripe_event_id=event.event_id)

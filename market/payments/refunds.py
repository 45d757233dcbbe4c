"""Refunds: money given back to a buyer for one seller's part of an order, once.

A refund is asked for with an idempotency key. It is written ``pending`` (under the order's
lock, so two refunds of one part never both fit), then the gateway is asked outside any
transaction with a key derived from the refund, then in one transaction the refund becomes
``succeeded``, the ledger records it, and a part refunded in full becomes ``refunded``. If the
seller was already paid for the part through Stripe, the seller's share is taken back by a
transfer reversal (one per refund, by its own idempotency key); if not, the part's payout is
made from ``part_payable``, which already nets the refund.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import stripe
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from market.core.errors import DomainError
from market.core.money import currency_precision, quantize
from market.orders.models import Order, OrderPart, OrderStatus
from market.payments.error_codes import PaymentErrorCode
from market.payments.gateways import GATEWAYS, RefundResult
from market.payments.models import (
    Payment,
    PaymentStatus,
    Refund,
    RefundEvent,
    RefundSource,
    RefundStatus,
)

logger = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY = 128
MAX_REASON = 500
COUNTED = (RefundStatus.PENDING, RefundStatus.SUCCEEDED)
SHIPPED_OR_LATER = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)
MANAGE_ORDERS = "orders.manage_orders"


def _is_order_manager(actor) -> bool:
    return bool(actor is not None and actor.is_staff and actor.has_perm(MANAGE_ORDERS))


def refund_gateway_key(refund: Refund) -> str:
    """The key the gateway sees: derived from the refund, so every retry is the same refund."""
    return f"refund-{refund.pk}"


def part_refundable(*, part: OrderPart) -> Decimal:
    """What is left to refund of a part (order currency): its total less pending and
    succeeded refunds."""
    refunded = (Refund.objects.filter(order_part=part, status__in=COUNTED)
                .aggregate(total=Sum("amount"))["total"] or Decimal(0))
    return part.total_amount - refunded


def refund_create(*, part: OrderPart, reason: str, idempotency_key: str,
                  amount: Decimal | None = None, actor=None) -> Refund:
    """Refund ``amount`` (default: all that is left) of a seller's part to the buyer.

    - Staff holding ``orders.manage_orders`` may refund any time; anyone else (the part's
      seller) only before the part ships (``already_shipped``).
    - The order must have been paid (a payment succeeded): else ``not_paid``.
    - The amount is in the order's currency, positive and in whole minor units
      (``invalid_amount``), and at most what is left of the part (``refund_exceeds_paid``).
    - The same ``idempotency_key`` answers with the same refund (finishing it if a crash or the
      gateway left it pending); the same key with another part, amount or reason is refused
      (``idempotency_conflict``).
    Refused requests write nothing. A gateway error leaves the refund pending (``gateway_error``
    is raised): asking again with the same key retries it, without refunding twice.
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise DomainError(PaymentErrorCode.INVALID,
                          f"Give an idempotency key of 1 to {MAX_IDEMPOTENCY_KEY} characters.",
                          field="idempotencyKey")
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise DomainError(PaymentErrorCode.INVALID,
                          f"Give a reason of 1 to {MAX_REASON} characters.", field="reason")
    refund = _refund_open(part=part, reason=reason, key=key, amount=amount, actor=actor)
    return refund_finish(refund=refund)


def _fingerprint_matches(refund: Refund, *, part: OrderPart, amount, reason: str) -> bool:
    return (refund.order_part_id == part.pk and refund.reason == reason
            and (amount is None or refund.amount == amount))


@transaction.atomic
def _refund_open(*, part: OrderPart, reason: str, key: str, amount, actor) -> Refund:
    # The order row first, as payments and the order status machine lock it.
    order = Order.objects.select_for_update().get(pk=part.order_id)
    part = OrderPart.objects.select_for_update().get(pk=part.pk)
    existing = Refund.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if not _fingerprint_matches(existing, part=part, amount=amount, reason=reason):
            raise DomainError(PaymentErrorCode.IDEMPOTENCY_CONFLICT,
                              "This idempotency key was used for another refund.",
                              field="idempotencyKey")
        return existing
    if not _is_order_manager(actor) and part.status in SHIPPED_OR_LATER:
        raise DomainError(PaymentErrorCode.ALREADY_SHIPPED,
                          "This part has shipped: ask us to refund it.", field="partId")
    payment = (Payment.objects.filter(order=order, status=PaymentStatus.SUCCEEDED)
               .order_by("pk").first())
    if payment is None:
        raise DomainError(PaymentErrorCode.NOT_PAID,
                          f"Order {order.number} was not paid: there is nothing to refund.",
                          field="partId")
    left = part_refundable(part=part)
    if amount is None:
        amount = left
    elif (not amount.is_finite() or amount <= 0
          or quantize(amount, order.currency) != amount):
        raise DomainError(PaymentErrorCode.INVALID_AMOUNT,
                          f"A refund is a positive amount in whole {order.currency} minor units.",
                          field="amount")
    if amount <= 0 or amount > left:
        raise DomainError(PaymentErrorCode.REFUND_EXCEEDS_PAID,
                          f"Only {left} {order.currency} of this part is left to refund.",
                          field="amount")
    refund = Refund.objects.create(
        payment=payment, order_part=part, amount=amount, currency=order.currency,
        reason=reason, idempotency_key=key, requested_by=actor if actor is not None and
        actor.is_authenticated else None)
    RefundEvent.objects.create(refund=refund, to_status=refund.status)
    return refund


def refund_finish(*, refund: Refund) -> Refund:
    """Bring a refund as far as it can go: ask the gateway if it is pending, then take the
    seller's share back from a paid Stripe transfer. Safe to call again at any point."""
    if refund.status == RefundStatus.PENDING:
        payment = refund.payment
        result = GATEWAYS[payment.gateway]().refund(
            payment=payment, amount=refund.amount, idempotency_key=refund_gateway_key(refund),
            metadata={"refund_id": str(refund.pk), "order_part_id": str(refund.order_part_id)})
        _refund_apply(refund=refund, result=result)
        refund.refresh_from_db()
    if refund.status == RefundStatus.SUCCEEDED:
        refund_reverse_transfer(refund=refund)
    return refund


@transaction.atomic
def _refund_apply(*, refund: Refund, result: RefundResult, stripe_event_id: str = "") -> bool:
    Order.objects.select_for_update().get(pk=refund.order_part.order_id)
    if result.provider_id:
        Refund.objects.filter(pk=refund.pk, provider_id="").update(
            provider_id=result.provider_id, updated_at=timezone.now())
    if result.status == RefundStatus.SUCCEEDED:
        return refund_succeeded(refund=refund, stripe_event_id=stripe_event_id)
    if result.status == RefundStatus.FAILED:
        return _refund_move(refund=refund, to=RefundStatus.FAILED, note=result.failure_message,
                            stripe_event_id=stripe_event_id,
                            failure_message=result.failure_message or "The refund failed.")
    return False


def _refund_move(*, refund: Refund, to: str, note: str = "", stripe_event_id: str = "",
                 **fields) -> bool:
    """Compare-and-set the refund's status, with its event; False (nothing changed) when the
    move is not allowed or happened already."""
    current = Refund.objects.filter(pk=refund.pk).values_list("status", flat=True).get()
    if to not in Refund.ALLOWED_TRANSITIONS[current]:
        return False
    moved = Refund.objects.filter(pk=refund.pk, status=current).update(
        status=to, updated_at=timezone.now(), **fields)
    if moved != 1:
        return False
    RefundEvent.objects.create(refund=refund, from_status=current, to_status=to, note=note,
                               stripe_event_id=stripe_event_id)
    refund.status = to
    return True


@transaction.atomic
def refund_succeeded(*, refund: Refund, stripe_event_id: str = "") -> bool:
    """The single place where a refund becomes succeeded; returns whether it did just now.

    In the same transaction the ledger records it, and a part with nothing left to refund
    becomes refunded (the order follows its parts). A part that cannot become refunded (it was
    cancelled) keeps its status.
    """
    from market.ledger.services import ledger_record_refund
    from market.orders.services import order_part_can_become, order_part_move

    # The order row first, then its part: the lock order every writer of orders keeps.
    Order.objects.select_for_update().get(pk=refund.order_part.order_id)
    part = OrderPart.objects.select_for_update().get(pk=refund.order_part_id)
    if not _refund_move(refund=refund, to=RefundStatus.SUCCEEDED, stripe_event_id=stripe_event_id):
        return False
    refund.refresh_from_db()
    ledger_record_refund(refund=refund)
    if (part_refundable(part=part) == 0
            and order_part_can_become(part=part, status=OrderStatus.REFUNDED)):
        order_part_move(part=part, to=OrderStatus.REFUNDED, actor=refund.requested_by,
                        kind="refunded", note=refund.reason)
    return True


def refund_reverse_transfer(*, refund: Refund) -> None:
    """If the seller was paid for the part by a Stripe transfer, take their share of the refund
    back (a transfer reversal keyed by the refund) and record it, once. A part not paid out
    yet needs nothing: its payout is ``part_payable``, net of the refund. A Stripe error is
    logged and left for the next call with the refund's key (or the webhook) to retry."""
    from market.ledger.models import LedgerEntry
    from market.ledger.services import ledger_record_transfer_reversal, ledger_refund_seller_share
    from market.payouts.models import PayoutState

    payout = getattr(refund.order_part, "payout", None)
    if (payout is None or payout.status != PayoutState.PAID or not payout.stripe_transfer_id
            or LedgerEntry.objects.filter(key=f"reversal:refund:{refund.pk}").exists()):
        return
    share_base, share_order = ledger_refund_seller_share(refund=refund)
    if share_base <= 0:
        return
    currency = payout.transfer_currency or refund.currency
    minor = int(quantize(share_order, currency).scaleb(currency_precision(currency)))
    try:
        from market.payments.stripe_client import stripe_client

        reversal = stripe_client().v1.transfers.reversals.create(
            payout.stripe_transfer_id,
            params={"amount": minor, "metadata": {"refund_id": str(refund.pk)}},
            options={"idempotency_key": f"refund-{refund.pk}-reversal"})
    except stripe.StripeError:
        logger.exception("Reversing transfer %s for refund %s failed", payout.stripe_transfer_id,
                         refund.pk)
        return
    ledger_record_transfer_reversal(refund=refund, payout=payout, amount=share_base,
                                    amount_order=share_order, stripe_reversal_id=reversal.id)


# --- Stripe: charge.refunded ------------------------------------------------------------------

def _stripe_refunds_of(charge: dict) -> list[dict]:
    listed = charge.get("refunds")
    if isinstance(listed, dict) and not listed.get("has_more"):
        return list(listed.get("data") or [])
    from market.payments.stripe_client import stripe_client

    return [r.to_dict() for r in stripe_client().v1.refunds.list(
        params={"charge": charge["id"], "limit": 100}).auto_paging_iter()]


def refunds_reconcile_charge(*, charge: dict, stripe_event_id: str = "") -> bool:
    """Apply a ``charge.refunded`` event (inside the dispatcher's transaction).

    Each succeeded Stripe refund of the charge is recorded once: a refund of ours (named by the
    ``refund_id`` metadata we send, or by its Stripe id) becomes succeeded if it was still
    pending; one made in the Stripe dashboard is recorded as new refunds, split over the
    order's parts in proportion to what is left of each. Returns whether anything changed.
    """
    intent_id = charge.get("payment_intent")
    payment = (Payment.objects.filter(provider_id=intent_id, status=PaymentStatus.SUCCEEDED)
               .first() if intent_id else None)
    if payment is None:
        return False
    Order.objects.select_for_update().get(pk=payment.order_id)
    changed = False
    reversals = []
    for stripe_refund in _stripe_refunds_of(charge):
        if stripe_refund.get("status") != "succeeded":
            continue
        ours = _our_refund(payment, stripe_refund)
        if ours is not None:
            if ours.status == RefundStatus.PENDING:
                changed |= _refund_apply(refund=ours, stripe_event_id=stripe_event_id,
                                         result=RefundResult(RefundStatus.SUCCEEDED,
                                                             provider_id=stripe_refund["id"]))
                reversals.append(ours.pk)
            continue
        created = _dashboard_refund_record(payment=payment, stripe_refund=stripe_refund,
                                           stripe_event_id=stripe_event_id)
        reversals += [r.pk for r in created]
        changed |= bool(created)
    for refund_id in reversals:
        # After commit: the reversal calls Stripe, which must not hold the transaction open.
        transaction.on_commit(lambda pk=refund_id: refund_reverse_transfer(
            refund=Refund.objects.get(pk=pk)), robust=True)
    return changed


def _our_refund(payment: Payment, stripe_refund: dict) -> Refund | None:
    refund_id = str((stripe_refund.get("metadata") or {}).get("refund_id") or "")
    if refund_id.isdigit():
        found = Refund.objects.filter(pk=int(refund_id), payment=payment).first()
        if found is not None:
            return found
    return Refund.objects.filter(payment=payment, provider_id=stripe_refund["id"]).first()


def _dashboard_refund_record(*, payment: Payment, stripe_refund: dict,
                             stripe_event_id: str) -> list[Refund]:
    from market.ledger.allocation import allocate

    currency = str(stripe_refund.get("currency") or "").upper()
    if currency != payment.currency:
        logger.error("Stripe refund %s is in %s; payment %s is in %s", stripe_refund["id"],
                     currency, payment.pk, payment.currency)
        return []
    amount = Decimal(int(stripe_refund.get("amount") or 0)).scaleb(
        -currency_precision(currency))
    parts = list(OrderPart.objects.select_for_update().filter(order_id=payment.order_id)
                 .order_by("pk"))
    left = [part_refundable(part=part) for part in parts]
    if amount <= 0 or amount > sum(left, Decimal(0)):
        logger.error("Stripe refund %s of %s %s is more than is left of order %s",
                     stripe_refund["id"], amount, currency, payment.order_id)
        return []
    created = []
    for part, share in zip(parts, allocate(quantize(amount, currency), left, currency),
                           strict=True):
        if share <= 0:
            continue
        refund = Refund.objects.create(
            payment=payment, order_part=part, amount=share, currency=currency,
            source=RefundSource.STRIPE, reason="Refunded in the Stripe dashboard",
            idempotency_key=f"stripe-{stripe_refund['id']}-part-{part.pk}",
            provider_id=stripe_refund["id"])
        RefundEvent.objects.create(refund=refund, to_status=refund.status,
                                   stripe_event_id=stripe_event_id)
        refund_succeeded(refund=refund, stripe_event_id=stripe_event_id)
        created.append(refund)
    return created

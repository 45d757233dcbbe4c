"""Refunds of parts whose seller was paid already: the seller's share taken back.

Payouts sits above payments and hears of refunds through the hooks payments exposes,
registered in ``PayoutsConfig.ready()``: when a refund succeeds and its part was paid by a Stripe
transfer, the reversal of the seller's share is queued (:func:`refund_reversal_queue`) and made
by a worker (``payouts.reverse_refund_transfer`` → :func:`refund_reverse_transfer`, retried
while Stripe cannot answer); when a succeeded refund fails, what a payout of its part leaves for
staff to put right is reported (:func:`payout_failed_refund_attention`). After a payout is paid,
the refunds that came in while its transfer was in flight are reversed
(:func:`refunds_reverse_after_payout`).
"""

from __future__ import annotations

import logging

import stripe

from market.core.money import quantize, to_minor_units
from market.core.tasks import enqueue_on_commit
from market.ledger.models import LedgerEntry
from market.ledger.selectors import part_payable
from market.ledger.services import ledger_refund_seller_share
from market.orders.models import OrderPart
from market.payments.gateways import GatewayRetryable, stripe_error_is_transient
from market.payments.models import Refund, RefundStatus
from market.payments.refunds import (
    failed_refund_attention_source,
    refund_record_reversal,
    refund_succeeded_listener,
)
from market.payments.stripe_client import stripe_client
from market.payouts.models import Payout, PayoutState

logger = logging.getLogger(__name__)


def _paid_by_stripe_transfer(payout: Payout | None) -> bool:
    return (
        payout is not None and payout.status == PayoutState.PAID and bool(payout.stripe_transfer_id)
    )


@refund_succeeded_listener
def refund_reversal_queue(*, refund: Refund) -> None:
    """Inside the transaction in which ``refund`` succeeded: if its part was paid out by a
    Stripe transfer, queue the reversal of the seller's share for after the commit. (A payout
    still in flight reverses it itself once paid: :func:`refunds_reverse_after_payout`.)"""
    if _paid_by_stripe_transfer(getattr(refund.order_part, "payout", None)):
        enqueue_on_commit("payouts.reverse_refund_transfer", refund_id=refund.pk)


def refund_transfer_reverse(*, refund_id: int) -> None:
    """What the ``payouts.reverse_refund_transfer`` task does (:func:`refund_reverse_transfer`);
    raises ``GatewayRetryable`` for the task to retry."""
    refund = (
        Refund.objects.select_related("order_part__payout", "order_part__order")
        .filter(pk=refund_id)
        .first()
    )
    if refund is not None:
        refund_reverse_transfer(refund=refund)


def refund_reverse_transfer(*, refund: Refund) -> None:
    """If the seller was paid for the part by a Stripe transfer, take their share of the refund
    back (a transfer reversal keyed by the refund) and record it, once. A part not paid out
    yet needs nothing: its payout is ``part_payable``, net of the refund. When Stripe cannot
    answer now, ``GatewayRetryable`` is raised (the task retries with the same key); a refusal
    is logged for staff. Only a refund that (still) succeeded is reversed: the buyer of a
    failed one got nothing back."""
    payout = getattr(refund.order_part, "payout", None)
    if (
        payout is None
        or not _paid_by_stripe_transfer(payout)
        or not Refund.objects.filter(pk=refund.pk, status=RefundStatus.SUCCEEDED).exists()
        or LedgerEntry.objects.filter(key=f"reversal:refund:{refund.pk}").exists()
    ):
        return
    share_base, share_order = ledger_refund_seller_share(refund=refund)
    if share_base <= 0:
        return
    currency = payout.transfer_currency or refund.currency
    minor = to_minor_units(quantize(share_order, currency), currency)
    try:
        reversal = stripe_client().v1.transfers.reversals.create(
            payout.stripe_transfer_id,
            params={"amount": minor, "metadata": {"refund_id": str(refund.pk)}},
            options={"idempotency_key": f"refund-{refund.pk}-reversal"},
        )
    except stripe.StripeError as error:
        if stripe_error_is_transient(error):
            raise GatewayRetryable(str(error)) from error
        logger.exception(
            "Reversing transfer %s for refund %s failed", payout.stripe_transfer_id, refund.pk
        )
        return
    refund_record_reversal(
        refund=refund,
        payout=payout,
        amount=share_base,
        amount_order=share_order,
        stripe_reversal_id=reversal.id,
    )


def refunds_reverse_after_payout(*, payout: Payout) -> list[Refund]:
    """Refunds that succeeded while ``payout``'s Stripe transfer was in flight (after the
    payout's amount was fixed, before it was paid) found no transfer to reverse, and the payout
    was not net of them: now that it is paid, reverse them (``refund_reverse_transfer``, once).

    Which refunds: the payout paid ``overpaid = amount - part_payable`` more than the part is
    owed now; refunds not reversed yet, newest first, are reversed while their seller share
    fits in that (a refund before the payout was created is already netted from its amount).
    Returns the refunds reversed."""
    if not payout.stripe_transfer_id:
        return []
    succeeded = Refund.objects.filter(
        order_part_id=payout.order_part_id, status=RefundStatus.SUCCEEDED
    )
    if not succeeded.exists():  # the usual case: one small query
        return []
    candidates = succeeded.select_related("order_part__payout", "order_part__order").order_by("-pk")
    overpaid = payout.amount - part_payable(part=payout.order_part)
    reversed_refunds = []
    for refund in candidates:
        if overpaid <= 0:
            break
        if LedgerEntry.objects.filter(key=f"reversal:refund:{refund.pk}").exists():
            continue
        share, _ = ledger_refund_seller_share(refund=refund)
        if share <= 0 or share > overpaid:
            break
        try:
            refund_reverse_transfer(refund=refund)
        except GatewayRetryable:
            # Stripe cannot answer now: a worker retries it (with the same key) after the commit.
            enqueue_on_commit("payouts.reverse_refund_transfer", refund_id=refund.pk)
            overpaid -= share
            continue
        if LedgerEntry.objects.filter(key=f"reversal:refund:{refund.pk}").exists():
            reversed_refunds.append(refund)
            overpaid -= share
    return reversed_refunds


@failed_refund_attention_source
def payout_failed_refund_attention(*, refund: Refund, part: OrderPart) -> str:
    """What staff must pay by hand when a refund of a part fails after it succeeded and no
    transfer was reversed for it: a payout of the part, made once, was net of the refund or
    settled it as the seller's debt."""
    payout = getattr(part, "payout", None)
    if payout is None:
        return ""
    short = part_payable(part=part) - payout.amount
    if short > 0:
        return (
            f"Payout {payout.pk} ({payout.status}) of the part is {payout.amount} "
            f"{payout.currency}, net of this refund: with the refund undone the seller is "
            f"owed {short} {payout.currency} more for the part. Pay it by hand."
        )
    if payout.status != PayoutState.PAID:
        return ""
    share_base, _ = ledger_refund_seller_share(refund=refund)
    return (
        f"The part was paid out already (payout {payout.pk}) and no transfer was reversed "
        f"for this refund: its seller's share ({share_base} {payout.currency}) was a debt of "
        f"the seller's, cancelled now. If a later payout already netted it, the seller is "
        f"owed that much again."
    )

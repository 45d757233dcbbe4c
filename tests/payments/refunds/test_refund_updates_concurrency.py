"""A refund's failure racing other workers, for real, with threads on PostgreSQL."""

import time
from decimal import Decimal

import pytest

from market.ledger.models import LedgerEntry
from market.ledger.selectors import seller_balance
from market.payments.models import Refund, RefundEvent, StripeEvent
from market.payments.refunds import refund_send
from market.payments.stripe_inbox import stripe_event_process
from market.payouts.models import Payout
from market.payouts.paying import payout_execute, payouts_create_due
from market.payouts.refund_reversals import refund_reverse_transfer
from tests.concurrency import race
from tests.factories import card_paid_part
from tests.payments.refunds.helpers import (
    balances,
    order_manager,
    order_status,
    refund_asked,
    refund_made,
)
from tests.payouts.worker.helpers import delivered, ready_stripe_account
from tests.stripe_server import refunds as stripe_refunds

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def stored(event: dict) -> StripeEvent:
    return StripeEvent.objects.create(
        event_id=event["id"], type=event["type"], payload=event, created="2026-01-01T00:00:00Z"
    )


def refund(part, amount=None):
    return refund_made(
        part=part,
        amount=None if amount is None else Decimal(amount),
        reason="Arrived broken",
        idempotency_key="r-1",
        actor=order_manager(),
        by_order_manager=True,
    )


def test_eight_workers_applying_eight_failure_events_undo_the_refund_once(stripe_gateway):
    part = card_paid_part(card=stripe_refunds.REFUND_FAILS)
    before = balances(part)
    made = refund(part)
    stripe_refunds.refund_update(stripe_gateway, made.provider_id, "failed")
    events = [
        stored(stripe_refunds.refund_event(stripe_gateway, made.provider_id, type))
        for type in ["charge.refund.updated", "refund.updated", "refund.failed"] * 2
        + ["refund.updated"] * 2
    ]

    outcomes = race(*(lambda e=e: stripe_event_process(event_id=e.event_id) for e in events))

    assert sorted(o.status for o in outcomes) == ["ignored"] * 7 + ["processed"], outcomes
    assert RefundEvent.objects.filter(refund=made, to_status="failed").count() == 1
    assert LedgerEntry.objects.filter(reference=f"refund-undone:{made.pk}").count() == 2
    assert balances(part) == before
    assert order_status(part) == ("paid", "paid")


def test_a_reversal_stripe_makes_while_the_refund_fails_is_recorded_and_flagged(
    stripe_gateway, enqueued
):
    part = delivered(card_paid_part(card=stripe_refunds.REFUND_FAILS, country="DE"), days_ago=15)
    ready_stripe_account(part.seller, stripe_gateway)
    payouts_create_due()
    payout_execute(payout_id=Payout.objects.get().pk)
    [transfer] = stripe_gateway.transfers.values()
    path = f"/v1/transfers/{transfer['id']}/reversals"
    # The refund succeeds; its reversal is queued, not made yet.
    made = refund_send(refund_id=refund_asked(part, amount="60.00").pk)
    assert enqueued[-1] == ("payouts.reverse_refund_transfer", {"refund_id": made.pk})
    assert not LedgerEntry.objects.filter(kind="reversal").exists()
    stripe_refunds.refund_update(stripe_gateway, made.provider_id, "failed")
    failure = stored(stripe_refunds.refund_event(stripe_gateway, made.provider_id))
    stripe_gateway.delay_next_response(path, 1.5)
    attempts = len(stripe_gateway.calls_to("POST", path))

    def fail_while_stripe_reverses():
        # Stripe has done the reversal and not answered yet: now the failure arrives.
        while len(stripe_gateway.calls_to("POST", path)) == attempts:
            time.sleep(0.01)
        return stripe_event_process(event_id=failure.event_id)

    outcomes = race(
        lambda: refund_reverse_transfer(refund=Refund.objects.get(pk=made.pk)),
        fail_while_stripe_reverses,
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    made.refresh_from_db()
    [reversal] = transfer["reversals"]["data"]
    assert made.status == "failed"
    assert LedgerEntry.objects.get(kind="reversal").reference == reversal["id"]
    assert reversal["id"] in made.attention
    # Paid 110.00, the refund undone, 110.00 taken back by the reversal: owed 110.00 again.
    assert seller_balance(seller=part.seller) == Decimal("110.00")

"""Stripe Connect payouts: one transfer per payout with the real SDK against the local server."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from market.ledger.models import LedgerEntry
from market.payouts.models import Payout
from market.payouts.paying import (
    payout_execute,
    payouts_create_due,
    payouts_sweep,
)
from market.payouts.routes import PayoutRetryable
from tests.factories import PaymentFactory, paid_part
from tests.payouts.worker.helpers import delivered, ready_stripe_account

pytestmark = pytest.mark.django_db

TRANSFERS = "/v1/transfers"


@pytest.fixture
def stripe_payout(stripe_server):
    """A pending payout of 200.00 AZN to a seller in Germany with a ready connected account,
    for an order paid in EUR at 1 EUR = 2 AZN."""
    part = delivered(paid_part(country="DE"), days_ago=15)
    ready_stripe_account(part.seller, stripe_server)
    payouts_create_due()
    return Payout.objects.get()


def test_a_stripe_payout_is_paid_with_one_transfer_in_the_order_currency(
    stripe_server, stripe_payout
):
    payout_execute(payout_id=stripe_payout.pk)

    payout = Payout.objects.get()
    (transfer,) = stripe_server.transfers.values()
    assert (
        transfer["amount"],
        transfer["currency"],
        transfer["destination"],
        transfer["transfer_group"],
    ) == (
        10000,
        "eur",
        payout.seller.payout_account.stripe_account_id,
        payout.order_part.order.number,
    )
    assert stripe_server.calls_to("POST", TRANSFERS)[0].idempotency_key == f"payout-{payout.pk}"
    assert (
        payout.status,
        payout.stripe_transfer_id,
        payout.transfer_amount,
        payout.transfer_currency,
        payout.attempts,
    ) == ("paid", transfer["id"], Decimal("100.00"), "EUR", 1)
    assert list(payout.events.values_list("to_status", flat=True)) == [
        "pending",
        "processing",
        "paid",
    ]


def test_a_paid_stripe_payout_is_recorded_in_the_ledger_once(stripe_server, stripe_payout):
    payout_execute(payout_id=stripe_payout.pk)
    payout_execute(payout_id=stripe_payout.pk)

    entry = LedgerEntry.objects.get(payout=stripe_payout)
    assert (entry.kind, entry.amount, entry.currency) == ("payout", Decimal("-200.00"), "AZN")


def test_the_transfer_is_tied_to_the_orders_charge(stripe_server, stripe_payout):
    order = stripe_payout.order_part.order
    PaymentFactory(order=order, status="succeeded", stripe_charge_id="ch_paid")

    payout_execute(payout_id=stripe_payout.pk)

    (transfer,) = stripe_server.transfers.values()
    assert transfer["source_transaction"] == "ch_paid"


def test_running_the_payout_task_twice_makes_one_transfer(stripe_server, stripe_payout):
    payout_execute(payout_id=stripe_payout.pk)
    payout_execute(payout_id=stripe_payout.pk)

    assert len(stripe_server.transfers) == 1
    assert len(stripe_server.calls_to("POST", TRANSFERS)) == 1


def test_a_dropped_response_is_retried_by_the_sdk_with_the_same_key(stripe_server, stripe_payout):
    # given Stripe makes the transfer but the answer is lost on the way back
    stripe_server.drop_next_response(TRANSFERS)

    payout_execute(payout_id=stripe_payout.pk)

    calls = stripe_server.calls_to("POST", TRANSFERS)
    assert [(call.idempotency_key, call.replayed) for call in calls] == [
        (f"payout-{stripe_payout.pk}", False),
        (f"payout-{stripe_payout.pk}", True),
    ]
    (transfer,) = stripe_server.transfers.values()
    payout = Payout.objects.get()
    assert (payout.status, payout.stripe_transfer_id) == ("paid", transfer["id"])


def test_a_stripe_outage_puts_the_payout_back_to_pending_to_retry(stripe_server, stripe_payout):
    # given Stripe answers 500 to the call and to both of the SDK's own retries
    stripe_server.fail_next_request(
        TRANSFERS, 500, "Stripe is having a bad day.", type="api_error", times=3
    )

    with pytest.raises(PayoutRetryable):
        payout_execute(payout_id=stripe_payout.pk)

    payout = Payout.objects.get()
    assert (payout.status, payout.attempts, payout.stripe_transfer_id) == ("pending", 1, None)
    assert "Stripe is having a bad day." in payout.last_error
    assert stripe_server.transfers == {}


def test_the_retry_after_an_outage_pays_the_payout(stripe_server, stripe_payout):
    stripe_server.fail_next_request(TRANSFERS, 500, "Down.", type="api_error", times=3)
    with pytest.raises(PayoutRetryable):
        payout_execute(payout_id=stripe_payout.pk)

    payout_execute(payout_id=stripe_payout.pk)

    payout = Payout.objects.get()
    assert (payout.status, payout.attempts, len(stripe_server.transfers)) == ("paid", 2, 1)


def test_a_payout_fails_after_the_last_attempt(stripe_server, stripe_payout, settings):
    settings.PAYOUT_MAX_ATTEMPTS = 1
    stripe_server.fail_next_request(TRANSFERS, 500, "Still down.", type="api_error", times=3)

    with pytest.raises(PayoutRetryable):
        payout_execute(payout_id=stripe_payout.pk)

    payout = Payout.objects.get()
    assert (payout.status, payout.attempts) == ("failed", 1)
    assert "Still down." in payout.last_error


def test_a_transfer_stripe_refuses_fails_the_payout_at_once(stripe_server, stripe_payout):
    stripe_server.accounts.clear()

    payout_execute(payout_id=stripe_payout.pk)

    payout = Payout.objects.get()
    assert (payout.status, payout.attempts) == ("failed", 1)
    assert "No such account" in payout.last_error


def test_a_payout_whose_route_is_no_longer_ready_fails_without_a_transfer(
    stripe_server, stripe_payout
):
    account = stripe_payout.seller.payout_account
    account.payouts_enabled = False
    account.save()

    payout_execute(payout_id=stripe_payout.pk)

    payout = Payout.objects.get()
    assert (payout.status, payout.last_error) == (
        "failed",
        "The seller's payout route is not verified.",
    )
    assert stripe_server.calls_to("POST", TRANSFERS) == []


def test_a_payout_left_processing_by_a_dead_worker_is_resumed_with_the_same_transfer(
    stripe_server, stripe_payout, settings
):
    # given a worker made the transfer and died before writing it down
    settings.PAYOUT_SWEEP_AFTER_SECONDS = 300
    from market.payouts.routes import payout_route_for

    Payout.objects.filter(pk=stripe_payout.pk).update(
        status="processing",
        attempts=1,
        processing_started_at=timezone.now() - dt.timedelta(minutes=10),
    )
    payout_route_for(stripe_payout.seller).pay(Payout.objects.get())

    payout_execute(payout_id=stripe_payout.pk)

    (transfer,) = stripe_server.transfers.values()
    payout = Payout.objects.get()
    assert (payout.status, payout.stripe_transfer_id, payout.attempts) == (
        "paid",
        transfer["id"],
        2,
    )


def test_a_payout_processing_for_less_than_the_sweep_delay_is_left_to_its_worker(
    stripe_server, stripe_payout
):
    Payout.objects.filter(pk=stripe_payout.pk).update(
        status="processing", processing_started_at=timezone.now()
    )

    assert payout_execute(payout_id=stripe_payout.pk) is None
    assert stripe_server.transfers == {}


def test_the_sweeper_requeues_payouts_stuck_in_pending_or_processing(
    stripe_server, stripe_payout, enqueued, django_capture_on_commit_callbacks
):
    later = timezone.now() + dt.timedelta(minutes=6)
    Payout.objects.filter(pk=stripe_payout.pk).update(
        status="processing", processing_started_at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        now_ids = payouts_sweep()
        later_ids = payouts_sweep(now=later)

    assert (now_ids, later_ids) == ([], [stripe_payout.pk])
    assert enqueued == [("payouts.execute", {"payout_id": stripe_payout.pk})]


def test_an_answer_slower_than_the_timeout_is_retried_with_the_same_key_and_pays_once(
    stripe_server, stripe_payout, settings
):
    # given Stripe makes the transfer at once but answers only after the client's timeout
    settings.STRIPE_TIMEOUT_SECONDS = 1
    stripe_server.delay_next_response(TRANSFERS, 3)

    payout = payout_execute(payout_id=stripe_payout.pk)

    # then the SDK gave up waiting, retried with the payout's key and got the same transfer
    (transfer,) = stripe_server.transfers.values()
    assert (payout.status, payout.stripe_transfer_id) == ("paid", transfer["id"])
    assert [call.replayed for call in stripe_server.calls_to("POST", TRANSFERS)] == [False, True]

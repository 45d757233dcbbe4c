"""Stripe failing while a seller is paid, run by the payout task's own code (in this process,
as a worker runs it, its retries included) against the local Stripe server made to fail: a 500,
an answer lost after the transfer was made, an answer slower than our timeout. Every attempt,
the SDK's, the task's retry or the sweeper's, carries the payout's key: the payout ends paid
once, by one transfer, recorded once in the ledger."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from market.ledger.models import LedgerEntry
from market.payouts.models import Payout
from market.payouts.paying import payout_execute, payouts_create_due, payouts_sweep
from market.payouts.routes import PayoutRetryable
from tests.factories import paid_part
from tests.payouts.worker.helpers import delivered, ready_stripe_account
from tests.tasks import worker_inline

pytestmark = pytest.mark.django_db

TRANSFERS = "/v1/transfers"


@pytest.fixture
def due_part(stripe_server):
    """An order part owing 200.00 AZN (100.00 EUR) to a seller in Germany whose connected
    account Stripe pays out to, delivered long enough ago to be paid out."""
    part = delivered(paid_part(country="DE"), days_ago=15)
    ready_stripe_account(part.seller, stripe_server)
    return part


def posts(server) -> list[tuple[str | None, int, bool]]:
    """(Idempotency-Key, status answered, replayed) of every transfer POST the server saw."""
    return [(c.idempotency_key, c.status, c.replayed) for c in server.calls_to("POST", TRANSFERS)]


def assert_paid_once(server, payout: Payout) -> None:
    (transfer,) = server.transfers.values()
    assert (payout.status, payout.stripe_transfer_id, transfer["amount"]) == (
        "paid",
        transfer["id"],
        10000,
    )
    assert payout.events.filter(to_status="paid").count() == 1
    entry = LedgerEntry.objects.get(payout=payout)
    assert (entry.kind, entry.amount, entry.currency) == ("payout", Decimal("-200.00"), "AZN")


def test_stripe_answering_500_to_every_sdk_attempt_is_retried_by_the_task_and_pays_once(
    stripe_server, due_part, settings
):
    attempts = settings.STRIPE_MAX_NETWORK_RETRIES + 1
    stripe_server.fail_next_request(
        TRANSFERS, 500, "Stripe is having a bad day.", type="api_error", times=attempts
    )

    with worker_inline():
        payouts_create_due()

    payout = Payout.objects.get()
    key = f"payout-{payout.pk}"
    assert_paid_once(stripe_server, payout)
    assert posts(stripe_server) == [(key, 500, False)] * attempts + [(key, 200, False)]
    assert payout.attempts == 2
    assert list(payout.events.order_by("pk").values_list("to_status", flat=True)) == [
        "pending",
        "processing",
        "pending",
        "processing",
        "paid",
    ]


def test_an_answer_lost_after_the_transfer_was_made_is_asked_again_by_the_tasks_retry(
    stripe_server, due_part, settings
):
    # given the SDK does not retry, so that the task sees the lost answer
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    stripe_server.drop_next_response(TRANSFERS)

    with worker_inline():
        payouts_create_due()

    payout = Payout.objects.get()
    key = f"payout-{payout.pk}"
    assert_paid_once(stripe_server, payout)
    assert posts(stripe_server) == [(key, 200, False), (key, 200, True)]
    assert payout.attempts == 2


def test_an_answer_slower_than_the_timeout_is_asked_again_by_the_tasks_retry(
    stripe_server, due_part, settings
):
    # given Stripe makes the transfer at once but answers after our timeout, and the SDK does
    # not retry
    settings.STRIPE_TIMEOUT_SECONDS = 1
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    stripe_server.delay_next_response(TRANSFERS, 3)

    with worker_inline():
        payouts_create_due()

    payout = Payout.objects.get()
    key = f"payout-{payout.pk}"
    assert_paid_once(stripe_server, payout)
    assert posts(stripe_server) == [(key, 200, False), (key, 200, True)]
    assert payout.attempts == 2


def test_a_payout_whose_retry_was_lost_is_paid_by_the_sweeper_with_the_same_transfer(
    stripe_server, due_part, settings
):
    # given a transfer made whose answer was lost, and the task's retry lost with its worker
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.PAYOUT_SWEEP_AFTER_SECONDS = 300
    payouts_create_due()
    payout = Payout.objects.get()
    stripe_server.drop_next_response(TRANSFERS)
    with pytest.raises(PayoutRetryable):
        payout_execute(payout_id=payout.pk)
    left = Payout.objects.values_list("status", "stripe_transfer_id").get()

    # when the sweeper runs after the sweep delay
    with worker_inline():
        swept = payouts_sweep(now=timezone.now() + dt.timedelta(minutes=6))

    payout.refresh_from_db()
    key = f"payout-{payout.pk}"
    assert (left, swept) == (("pending", None), [payout.pk])
    assert_paid_once(stripe_server, payout)
    assert posts(stripe_server) == [(key, 200, False), (key, 200, True)]

"""Stripe's transfer.* and payout.* webhooks: signed, delivered repeatedly and out of order,
they reconcile payouts and the seller's bank payouts once and never move anything back."""

import json
import time

import pytest
from django.test import Client
from django.utils import timezone

from market.ledger.models import LedgerEntry
from market.payments.models import StripeEvent
from market.payouts.models import Payout, PayoutAccount, PayoutAccountEvent, PayoutEvent
from market.payouts.paying import payout_execute, payouts_create_due
from market.payouts.routes import StripeConnectRoute
from market.payouts.selectors import payout_status_get
from tests.factories import paid_part
from tests.payouts.worker.helpers import delivered, ready_stripe_account
from tests.stripe_server.server import webhook_event
from tests.stripe_server.signing import post_webhook, stripe_signature
from workers.payments import process_stripe_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_payout(stripe_server):
    """A pending payout of 200.00 AZN (100.00 EUR) to a German seller with a ready account."""
    part = delivered(paid_part(country="DE"), days_ago=15)
    ready_stripe_account(part.seller, stripe_server)
    payouts_create_due()
    return Payout.objects.get()


@pytest.fixture
def killed_mid_payout(stripe_server, stripe_payout):
    """The worker claimed the payout and Stripe made the transfer, then the worker died before
    recording it: the payout is processing without a transfer id; returns the transfer."""
    Payout.objects.filter(pk=stripe_payout.pk).update(
        status="processing", processing_started_at=timezone.now()
    )
    StripeConnectRoute().pay(Payout.objects.get(pk=stripe_payout.pk))
    (transfer,) = stripe_server.transfers.values()
    return transfer


def deliver(event, settings, capture, **kwargs):
    with capture(execute=True):
        return post_webhook(Client(), event, secret=settings.STRIPE_WEBHOOK_SECRET, **kwargs)


def deliver_and_process(events, settings, capture, enqueued, *, times=1):
    responses = [deliver(event, settings, capture) for event in events for _ in range(times)]
    for _, kwargs in enqueued * 2:  # the task itself delivered twice as well
        process_stripe_event(**kwargs)
    return responses


def transfer_event(type, transfer, **kwargs):
    return webhook_event(type, json.loads(json.dumps(transfer)), **kwargs)


def test_transfer_created_delivered_five_times_pays_a_payout_left_processing_once(
    killed_mid_payout, settings, django_capture_on_commit_callbacks, enqueued
):
    event = transfer_event("transfer.created", killed_mid_payout)

    responses = deliver_and_process(
        [event], settings, django_capture_on_commit_callbacks, enqueued, times=5
    )

    payout = Payout.objects.get()
    assert [r.json()["duplicate"] for r in responses] == [False, True, True, True, True]
    assert (
        payout.status,
        payout.stripe_transfer_id,
        str(payout.transfer_amount),
        payout.transfer_currency,
    ) == ("paid", killed_mid_payout["id"], "100.00", "EUR")
    assert list(payout.events.filter(to_status="paid").values_list("from_status", flat=True)) == [
        "processing"
    ]
    assert LedgerEntry.objects.filter(payout=payout).count() == 1
    assert StripeEvent.objects.get().status == "processed"


def test_a_sweeper_run_after_the_webhook_paid_the_payout_makes_no_second_transfer(
    stripe_server, killed_mid_payout, settings, django_capture_on_commit_callbacks, enqueued
):
    deliver_and_process(
        [transfer_event("transfer.created", killed_mid_payout)],
        settings,
        django_capture_on_commit_callbacks,
        enqueued,
    )

    payout_execute(payout_id=Payout.objects.get().pk)

    assert len(stripe_server.transfers) == 1
    assert Payout.objects.get().events.filter(to_status="paid").count() == 1


def test_transfer_created_for_a_paid_payout_changes_nothing(
    stripe_server, stripe_payout, settings, django_capture_on_commit_callbacks, enqueued
):
    payout_execute(payout_id=stripe_payout.pk)
    (transfer,) = stripe_server.transfers.values()

    deliver_and_process(
        [transfer_event("transfer.created", transfer)],
        settings,
        django_capture_on_commit_callbacks,
        enqueued,
    )

    assert Payout.objects.get().events.count() == 3
    assert StripeEvent.objects.get().status == "ignored"


def test_a_reversal_is_recorded_once_and_the_payout_stays_paid(
    stripe_server, stripe_payout, settings, django_capture_on_commit_callbacks, enqueued
):
    payout_execute(payout_id=stripe_payout.pk)
    (transfer,) = stripe_server.transfers.values()
    stripe_server.handle("POST", f"/v1/transfers/{transfer['id']}/reversals", {})
    # Stripe sends both, each possibly more than once.
    events = [
        transfer_event("transfer.reversed", transfer),
        transfer_event("transfer.updated", transfer),
    ]

    deliver_and_process(events, settings, django_capture_on_commit_callbacks, enqueued, times=5)

    payout = Payout.objects.get()
    assert payout.status == "paid"
    reversal = PayoutEvent.objects.get(payout=payout, note="transfer reversed")
    assert (
        reversal.from_status,
        reversal.to_status,
        reversal.data["amount_reversed"],
        reversal.data["reversed"],
    ) == ("paid", "paid", 10000, True)
    assert LedgerEntry.objects.filter(payout=payout).count() == 1


def test_an_older_transfer_update_after_a_reversal_records_nothing(
    stripe_server, stripe_payout, settings, django_capture_on_commit_callbacks, enqueued
):
    payout_execute(payout_id=stripe_payout.pk)
    (transfer,) = stripe_server.transfers.values()
    before = transfer_event("transfer.updated", transfer, created=int(time.time()) - 60)
    stripe_server.handle("POST", f"/v1/transfers/{transfer['id']}/reversals", {"amount": "4000"})
    partial = transfer_event("transfer.reversed", transfer)

    deliver_and_process([partial, before], settings, django_capture_on_commit_callbacks, enqueued)

    reversals = PayoutEvent.objects.filter(note="transfer reversed")
    assert [e.data["amount_reversed"] for e in reversals] == [4000]
    assert StripeEvent.objects.get(event_id=before["id"]).status == "ignored"


def test_a_transfer_to_another_account_changes_nothing(
    killed_mid_payout, settings, django_capture_on_commit_callbacks, enqueued
):
    forged = {**killed_mid_payout, "destination": "acct_someone_else"}

    deliver_and_process(
        [transfer_event("transfer.created", forged)],
        settings,
        django_capture_on_commit_callbacks,
        enqueued,
    )

    payout = Payout.objects.get()
    assert (payout.status, payout.stripe_transfer_id) == ("processing", None)
    assert StripeEvent.objects.get().status == "ignored"


def test_a_forged_transfer_event_is_refused_and_nothing_changes(
    killed_mid_payout, settings, django_capture_on_commit_callbacks, enqueued
):
    event = transfer_event("transfer.created", killed_mid_payout)

    response = deliver(
        event,
        settings,
        django_capture_on_commit_callbacks,
        signature=stripe_signature(json.dumps(event), "whsec_not_ours"),
    )

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert Payout.objects.get().status == "processing"


# --- payout.* : the connected account's payouts to the seller's bank -------------------------


@pytest.fixture
def account(stripe_server, stripe_payout):
    return stripe_payout.seller.payout_account


def bank_payout_event(type, account, *, payout_id="po_1", created=None, **fields):
    obj = {
        "id": payout_id,
        "object": "payout",
        "amount": 10000,
        "currency": "eur",
        "status": type.removeprefix("payout."),
        **fields,
    }
    return webhook_event(type, obj, account=account.stripe_account_id, created=created)


def test_a_failed_bank_payout_delivered_five_times_is_recorded_once_and_shown_to_fix(
    account, settings, django_capture_on_commit_callbacks, enqueued
):
    event = bank_payout_event(
        "payout.failed",
        account,
        failure_code="account_closed",
        failure_message="The bank account has been closed.",
    )

    deliver_and_process([event], settings, django_capture_on_commit_callbacks, enqueued, times=5)

    status = payout_status_get(seller=account.seller)
    assert status.missing == [
        "Stripe could not pay out to your bank (The bank account has been "
        "closed.): update your bank details with Stripe."
    ]
    assert status.is_ready is True
    recorded = PayoutAccountEvent.objects.get(account=account, kind="stripe_payout_failed")
    assert (recorded.data["stripe_payout_id"], recorded.data["failure_code"]) == (
        "po_1",
        "account_closed",
    )


def test_a_later_paid_bank_payout_clears_the_failure(
    account, settings, django_capture_on_commit_callbacks, enqueued
):
    now = int(time.time())
    failed = bank_payout_event(
        "payout.failed", account, created=now - 60, failure_message="Closed."
    )
    paid = bank_payout_event("payout.paid", account, payout_id="po_2", created=now)

    deliver_and_process([failed, paid], settings, django_capture_on_commit_callbacks, enqueued)

    mirrored = PayoutAccount.objects.get(pk=account.pk)
    assert (mirrored.bank_payout_status, mirrored.bank_payout_failure) == ("paid", "")
    assert payout_status_get(seller=account.seller).missing == []


def test_an_older_paid_bank_payout_after_a_newer_failure_keeps_the_failure(
    account, settings, django_capture_on_commit_callbacks, enqueued
):
    now = int(time.time())
    paid = bank_payout_event("payout.paid", account, payout_id="po_1", created=now - 60)
    failed = bank_payout_event(
        "payout.failed", account, payout_id="po_2", created=now, failure_message="Closed."
    )

    deliver_and_process([failed, paid], settings, django_capture_on_commit_callbacks, enqueued)

    mirrored = PayoutAccount.objects.get(pk=account.pk)
    assert (mirrored.bank_payout_status, mirrored.bank_payout_failure) == ("failed", "Closed.")
    assert list(
        PayoutAccountEvent.objects.filter(
            account=account, kind__startswith="stripe_payout"
        ).values_list("kind", flat=True)
    ) == ["stripe_payout_failed", "stripe_payout_paid"]


def test_a_bank_payout_of_an_account_we_do_not_know_is_ignored(
    account, settings, django_capture_on_commit_callbacks, enqueued
):
    stranger = PayoutAccount(stripe_account_id="acct_stranger")
    event = bank_payout_event("payout.failed", stranger, failure_message="Closed.")

    deliver_and_process([event], settings, django_capture_on_commit_callbacks, enqueued)

    assert StripeEvent.objects.get().status == "ignored"
    assert PayoutAccount.objects.get(pk=account.pk).bank_payout_failure == ""

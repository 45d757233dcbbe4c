"""The Stripe webhook: verified on the raw body, stored once, processed once, in order."""

import json
import time

import pytest
from django.test import Client

from market.payments.models import StripeEvent
from market.payouts.models import PayoutAccount, PayoutAccountEvent
from tests.payouts.helpers import seller_with_user
from tests.stripe_server.server import webhook_event
from tests.stripe_server.signing import post_webhook, stripe_signature
from workers.payments import process_stripe_event

pytestmark = pytest.mark.django_db

READY = {
    "charges_enabled": True,
    "payouts_enabled": True,
    "requirements": {"currently_due": [], "past_due": [], "disabled_reason": None},
}


@pytest.fixture
def connected(stripe_server):
    """A German seller who has started onboarding: a Stripe account exists, nothing enabled."""
    from market.payouts.accounts import payout_onboarding_link_create

    return payout_onboarding_link_create(seller=seller_with_user(country="DE")).account


def account_updated(stripe_server, account, *, created=None, **changes) -> dict:
    obj = stripe_server.update_account(account.stripe_account_id, **changes)
    return webhook_event("account.updated", obj, created=created, account=account.stripe_account_id)


def deliver(event, settings, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return post_webhook(Client(), event, secret=settings.STRIPE_WEBHOOK_SECRET, **kwargs)


def test_account_updated_mirrors_the_flags_and_requirements(
    stripe_server, connected, settings, django_capture_on_commit_callbacks, enqueued
):
    event = account_updated(
        stripe_server,
        connected,
        charges_enabled=True,
        payouts_enabled=False,
        requirements={
            "currently_due": ["individual.verification.document"],
            "past_due": ["external_account"],
            "disabled_reason": "requirements.past_due",
        },
    )

    response = deliver(event, settings, django_capture_on_commit_callbacks)
    process_stripe_event(**enqueued[0][1])

    assert response.status_code == 200
    assert enqueued == [("payments.process_stripe_event", {"event_id": event["id"]})]
    account = PayoutAccount.objects.get(pk=connected.pk)
    assert account.charges_enabled is True
    assert account.payouts_enabled is False
    assert account.requirements_due == ["individual.verification.document", "external_account"]
    assert account.disabled_reason == "requirements.past_due"
    assert account.stripe_synced_at.timestamp() == event["created"]
    stored = StripeEvent.objects.get()
    assert (stored.event_id, stored.type, stored.account, stored.status) == (
        event["id"],
        "account.updated",
        connected.stripe_account_id,
        "processed",
    )


def test_the_same_event_delivered_five_times_is_stored_and_applied_once(
    stripe_server, connected, settings, django_capture_on_commit_callbacks, enqueued
):
    event = account_updated(stripe_server, connected, **READY)

    responses = [deliver(event, settings, django_capture_on_commit_callbacks) for _ in range(5)]
    for _, kwargs in enqueued * 2:  # and the task itself delivered twice
        process_stripe_event(**kwargs)

    assert [r.status_code for r in responses] == [200] * 5
    assert [r.json()["duplicate"] for r in responses] == [False, True, True, True, True]
    assert StripeEvent.objects.count() == 1
    assert len(enqueued) == 1
    assert PayoutAccountEvent.objects.filter(account=connected, kind="stripe_synced").count() == 1
    assert PayoutAccount.objects.get(pk=connected.pk).payouts_enabled is True


def test_an_older_event_after_a_newer_one_does_not_move_the_account_back(
    stripe_server, connected, settings, django_capture_on_commit_callbacks, enqueued
):
    now = int(time.time())
    older = account_updated(stripe_server, connected, created=now - 60, payouts_enabled=False)
    newer = account_updated(stripe_server, connected, created=now, **READY)

    deliver(newer, settings, django_capture_on_commit_callbacks)
    deliver(older, settings, django_capture_on_commit_callbacks)
    for _, kwargs in enqueued:
        process_stripe_event(**kwargs)

    account = PayoutAccount.objects.get(pk=connected.pk)
    assert account.payouts_enabled is True
    assert account.requirements_due == []
    assert account.stripe_synced_at.timestamp() == now
    assert StripeEvent.objects.get(event_id=older["id"]).status == "ignored"
    assert StripeEvent.objects.get(event_id=newer["id"]).status == "processed"


def test_a_forged_signature_is_refused_and_nothing_is_stored(
    stripe_server, connected, settings, django_capture_on_commit_callbacks, enqueued
):
    event = account_updated(stripe_server, connected, **READY)
    forged = stripe_signature(json.dumps(event), "whsec_not_ours")

    response = deliver(event, settings, django_capture_on_commit_callbacks, signature=forged)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert enqueued == []
    assert PayoutAccount.objects.get(pk=connected.pk).payouts_enabled is False


def test_a_body_changed_after_signing_is_refused(
    settings, django_capture_on_commit_callbacks, enqueued, db
):
    event = webhook_event("account.updated", {"id": "acct_1", "payouts_enabled": False})
    signature = stripe_signature(json.dumps(event), settings.STRIPE_WEBHOOK_SECRET)
    event["data"]["object"]["payouts_enabled"] = True

    response = deliver(event, settings, django_capture_on_commit_callbacks, signature=signature)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_request_without_a_signature_is_refused(db):
    response = Client().post(
        "/webhooks/stripe/",
        data=json.dumps(webhook_event("x.y", {})),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_signature_older_than_the_tolerance_is_refused(
    settings, django_capture_on_commit_callbacks, enqueued, db
):
    settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300
    event = webhook_event("account.updated", {"id": "acct_1"})

    response = deliver(
        event, settings, django_capture_on_commit_callbacks, timestamp=int(time.time()) - 301
    )

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert enqueued == []


@pytest.mark.parametrize(
    "body",
    ['{"id": "evt_1", "type": ', "[1, 2]", '{"object": "event"}'],
    ids=["truncated", "not-an-object", "no-id"],
)
def test_a_signed_body_that_is_not_an_event_is_refused(
    body, settings, django_capture_on_commit_callbacks, enqueued, db
):
    response = deliver(body, settings, django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert enqueued == []


def test_an_unsupported_event_type_is_stored_and_ignored(
    settings, django_capture_on_commit_callbacks, enqueued, db
):
    event = webhook_event("customer.created", {"id": "cus_1", "object": "customer"})

    response = deliver(event, settings, django_capture_on_commit_callbacks)
    process_stripe_event(**enqueued[0][1])

    assert response.status_code == 200
    stored = StripeEvent.objects.get()
    assert (stored.type, stored.status, stored.payload) == ("customer.created", "ignored", event)
    assert stored.processed_at is not None


def test_an_event_about_an_account_we_do_not_know_is_ignored(
    settings, django_capture_on_commit_callbacks, enqueued, db
):
    event = webhook_event(
        "account.updated", {"id": "acct_unknown", **READY}, account="acct_unknown"
    )

    deliver(event, settings, django_capture_on_commit_callbacks)
    process_stripe_event(**enqueued[0][1])

    assert StripeEvent.objects.get().status == "ignored"
    assert not PayoutAccount.objects.exists()


def test_a_failing_event_is_marked_failed_and_succeeds_when_retried(
    stripe_server, connected, settings, django_capture_on_commit_callbacks, enqueued, monkeypatch
):
    from market.payouts import stripe_events

    event = account_updated(stripe_server, connected, **READY)
    deliver(event, settings, django_capture_on_commit_callbacks)
    real_sync = stripe_events.payout_account_sync_from_stripe

    def broken(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(stripe_events, "payout_account_sync_from_stripe", broken)
    from market.payments.stripe_inbox import stripe_event_process

    with pytest.raises(RuntimeError):
        stripe_event_process(event_id=event["id"])
    failed = StripeEvent.objects.get()
    monkeypatch.setattr(stripe_events, "payout_account_sync_from_stripe", real_sync)
    stripe_event_process(event_id=event["id"])

    assert (failed.status, failed.error) == ("failed", "RuntimeError('bug')")
    assert StripeEvent.objects.get().status == "processed"
    assert PayoutAccount.objects.get(pk=connected.pk).payouts_enabled is True


def test_the_webhook_answers_only_post(db):
    assert Client().get("/webhooks/stripe/").status_code == 405

"""Stripe's inbox knows no app: each app registers the handler of the event types it applies,
and the inbox dispatches a stored event by its type to that handler, once."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from market.payments import stripe_inbox
from market.payments.models import StripeEvent
from market.payments.stripe_inbox import (
    StripeEventHandlers,
    stripe_event_handlers,
    stripe_event_process,
    stripe_event_receive,
)
from tests.stripe_server.server import webhook_event


def test_every_stripe_event_type_the_market_applies_has_its_handler_once_the_apps_are_ready():
    assert stripe_event_handlers.event_types() == {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "charge.refunded",
        "charge.refund.updated",
        "refund.created",
        "refund.updated",
        "refund.failed",
        "account.updated",
        "transfer.created",
        "transfer.updated",
        "transfer.reversed",
        "payout.paid",
        "payout.failed",
    }
    assert stripe_event_handlers.get("transfer.reversed").__module__ == (
        "market.payouts.stripe_events"
    )


def test_a_second_handler_for_one_event_type_is_refused_and_the_first_stays():
    handlers = StripeEventHandlers()

    @handlers.register("payout.paid")
    def first(event):
        return True

    def second(event):
        return False

    with pytest.raises(ImproperlyConfigured, match="payout.paid has a handler already"):
        handlers.register("payout.paid", "payout.failed")(second)

    assert handlers.get("payout.paid") is first
    assert handlers.get("payout.failed") is None


@pytest.mark.django_db
def test_the_inbox_applies_a_stored_event_with_the_handler_registered_for_its_type(
    monkeypatch, django_capture_on_commit_callbacks
):
    handlers = StripeEventHandlers()
    monkeypatch.setattr(stripe_inbox, "stripe_event_handlers", handlers)
    applied = []

    @handlers.register("invoice.paid")
    def invoice_paid(event):
        applied.append(event.event_id)
        return True

    with django_capture_on_commit_callbacks():
        paid, _ = stripe_event_receive(payload=webhook_event("invoice.paid", {"id": "in_1"}))
        other, _ = stripe_event_receive(payload=webhook_event("invoice.voided", {"id": "in_2"}))

    stripe_event_process(event_id=paid.event_id)
    stripe_event_process(event_id=paid.event_id)
    stripe_event_process(event_id=other.event_id)

    assert applied == [paid.event_id]
    assert dict(StripeEvent.objects.values_list("event_id", "status")) == {
        paid.event_id: "processed",
        other.event_id: "ignored",
    }

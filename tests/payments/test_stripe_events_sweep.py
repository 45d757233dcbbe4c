"""An event stored but never processed (its message to the worker was lost) is not stuck:
Stripe's later deliveries are repeats, which queue nothing, so a periodic sweeper queues it."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from market.payments.models import StripeEvent
from market.payments.services import payment_create
from market.payments.stripe_inbox import stripe_events_sweep
from tests.payments.helpers import order_status, unpaid_order
from tests.stripe_server.payment_intents import complete_action
from tests.stripe_server.server import webhook_event
from tests.stripe_server.signing import post_webhook
from workers.payments import process_stripe_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost_event(stripe_gateway, settings):
    """A ``payment_intent.succeeded`` stored ten minutes ago whose task never reached a worker
    (sent outside the test's commit capture: nothing runs it)."""
    payment = payment_create(order=unpaid_order(currency="EUR"), idempotency_key="k1")
    intent = complete_action(stripe_gateway, payment.provider_id, passed=True)
    event = webhook_event("payment_intent.succeeded", intent)
    assert post_webhook(Client(), event, secret=settings.STRIPE_WEBHOOK_SECRET).status_code == 200
    StripeEvent.objects.filter(event_id=event["id"]).update(
        received_at=timezone.now() - dt.timedelta(minutes=10)
    )
    return payment, event


def test_the_sweeper_queues_an_event_never_processed_and_the_order_is_paid(
    lost_event, enqueued, django_capture_on_commit_callbacks
):
    payment, event = lost_event

    with django_capture_on_commit_callbacks(execute=True):
        swept = stripe_events_sweep()
    for name, kwargs in enqueued:
        if name == "payments.process_stripe_event":
            process_stripe_event(**kwargs)

    assert swept == [event["id"]]
    assert StripeEvent.objects.get(event_id=event["id"]).status == "processed"
    assert order_status(payment.order) == "paid"


def test_a_repeat_delivery_does_not_queue_it_again(
    lost_event, enqueued, settings, django_capture_on_commit_callbacks
):
    _, event = lost_event

    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(Client(), event, secret=settings.STRIPE_WEBHOOK_SECRET)

    assert [name for name, _ in enqueued if name == "payments.process_stripe_event"] == []


def test_recent_and_processed_events_are_left_alone(
    lost_event, enqueued, django_capture_on_commit_callbacks
):
    _, event = lost_event
    StripeEvent.objects.filter(event_id=event["id"]).update(received_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        recent = stripe_events_sweep()
    process_stripe_event(event_id=event["id"])
    with django_capture_on_commit_callbacks(execute=True):
        processed = stripe_events_sweep(now=timezone.now() + dt.timedelta(hours=1))

    assert (recent, processed) == ([], [])

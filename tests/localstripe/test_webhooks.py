"""Webhooks signed by localstripe, an independent signer, posted to our live endpoint."""

import pytest
import stripe

from market.orders.models import Order
from market.payments.models import Payment, PaymentEvent, StripeEvent
from market.payments.stripe_client import stripe_client
from tests.localstripe.helpers import CARD_DECLINED, buyer_confirms, stripe_payment_waiting
from tests.payments.helpers import unpaid_order
from workers.payments import process_stripe_event

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "whsec_localstripe_interop"
SUCCEEDED = "payment_intent.succeeded"
FAILED = "payment_intent.payment_failed"


@pytest.fixture
def webhook_url(live_server, settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    return f"{live_server.url}/webhooks/stripe/"


def delivered(event_type: str) -> str:
    return f'webhook "{event_type}" successfully delivered'


def events_of(event_type: str) -> list[dict]:
    return [e.to_dict() for e in stripe_client().v1.events.list(params={"type": event_type}).data]


def process_all(enqueued) -> None:
    for name, kwargs in enqueued:
        if name == "payments.process_stripe_event":
            process_stripe_event(**kwargs)


def test_an_event_localstripe_signs_is_accepted_and_stored_once_when_delivered_twice(
    stripe_on_localstripe, webhook_url, enqueued
):
    # Two registrations of our endpoint: localstripe delivers each event to both.
    for name in ("market", "market-again"):
        stripe_on_localstripe.register_webhook(
            name, url=webhook_url, secret=SECRET, events=[SUCCEEDED]
        )

    intent = stripe_client().v1.payment_intents.create(
        params={
            "amount": 6000,
            "currency": "eur",
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    stripe_on_localstripe.wait_for_log(delivered(SUCCEEDED), count=2)

    [sent] = events_of(SUCCEEDED)
    stored = StripeEvent.objects.get()
    assert (stored.event_id, stored.type, stored.status) == (sent["id"], SUCCEEDED, "received")
    assert stored.payload["data"]["object"]["id"] == intent.id
    assert stored.payload["data"]["object"]["status"] == "succeeded"
    assert enqueued == [("payments.process_stripe_event", {"event_id": sent["id"]})]


def test_an_event_signed_with_another_secret_is_refused_and_nothing_is_stored(
    stripe_on_localstripe, webhook_url, enqueued
):
    stripe_on_localstripe.register_webhook(
        "market", url=webhook_url, secret="whsec_someone_elses", events=[SUCCEEDED]
    )

    stripe_client().v1.payment_intents.create(
        params={
            "amount": 6000,
            "currency": "eur",
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    stripe_on_localstripe.wait_for_log(f'webhook "{SUCCEEDED}" failed with response code 400')

    assert len(events_of(SUCCEEDED)) == 1
    assert StripeEvent.objects.count() == 0
    assert enqueued == []


def test_the_buyers_confirmation_in_localstripe_pays_the_order_through_the_webhook(
    stripe_on_localstripe, webhook_url, enqueued
):
    stripe_on_localstripe.register_webhook(
        "market", url=webhook_url, secret=SECRET, events=[SUCCEEDED, FAILED]
    )
    payment = stripe_payment_waiting(unpaid_order(currency="EUR"))

    intent = buyer_confirms(payment)
    stripe_on_localstripe.wait_for_log(delivered(SUCCEEDED))
    process_all(enqueued)

    payment.refresh_from_db()
    event = StripeEvent.objects.get()
    assert (payment.status, payment.amount_minor) == ("succeeded", 6000)
    assert payment.stripe_charge_id == intent["latest_charge"]["id"]
    assert Order.objects.get(pk=payment.order_id).status == "paid"
    assert (event.type, event.status) == (SUCCEEDED, "processed")
    assert PaymentEvent.objects.get(payment=payment, to_status="succeeded").stripe_event_id == (
        event.event_id
    )


def test_a_charge_localstripe_declines_fails_the_payment_through_the_webhook(
    stripe_on_localstripe, webhook_url, enqueued
):
    stripe_on_localstripe.register_webhook(
        "market", url=webhook_url, secret=SECRET, events=[SUCCEEDED, FAILED]
    )
    payment = stripe_payment_waiting(unpaid_order(currency="EUR"), payment_method=CARD_DECLINED)

    with pytest.raises(stripe.CardError):
        buyer_confirms(payment)
    stripe_on_localstripe.wait_for_log(delivered(FAILED))
    process_all(enqueued)

    payment = Payment.objects.get(pk=payment.pk)
    assert (payment.status, payment.decline_code, payment.failure_message) == (
        "failed",
        "card_declined",
        "Your card was declined.",
    )
    assert Order.objects.get(pk=payment.order_id).status == "unpaid"
    assert StripeEvent.objects.get().status == "processed"

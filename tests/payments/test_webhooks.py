"""payment_intent.* webhooks: signed for real, stored once, applied once, never backwards."""

import time
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client

from market.ledger.models import LedgerEntry
from market.orders.models import OrderEvent
from market.payments.models import Payment, PaymentEvent, StripeEvent
from market.payments.services import payment_create
from tests.payments.helpers import order_status, unpaid_order
from tests.stripe_server.payment_intents import complete_action
from tests.stripe_server.server import webhook_event
from tests.stripe_server.signing import post_webhook
from workers.payments import process_stripe_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(stripe_gateway):
    """A Stripe payment of an unpaid 60.00 EUR order, waiting for the buyer's browser."""
    return payment_create(order=unpaid_order(currency="EUR"), idempotency_key="k1")


def succeeded_event(server, payment, **changes) -> dict:
    intent = complete_action(server, payment.provider_id, passed=True)
    return webhook_event("payment_intent.succeeded", {**intent, **changes})


def deliver(event, settings, capture, **kwargs):
    with capture(execute=True):
        return post_webhook(Client(), event, secret=settings.STRIPE_WEBHOOK_SECRET, **kwargs)


def process_all(enqueued):
    with_events = [kwargs for name, kwargs in enqueued if name == "payments.process_stripe_event"]
    for kwargs in with_events:
        process_stripe_event(**kwargs)


def test_payment_intent_succeeded_pays_the_order(
    stripe_gateway, waiting, settings, django_capture_on_commit_callbacks, enqueued
):
    event = succeeded_event(stripe_gateway, waiting)

    response = deliver(event, settings, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        process_all(enqueued)

    assert response.status_code == 200
    payment = Payment.objects.get()
    assert payment.status == "succeeded"
    assert payment.stripe_charge_id == event["data"]["object"]["latest_charge"]
    assert order_status(payment.order) == "paid"
    assert StripeEvent.objects.get().status == "processed"
    assert ("fulfilment.order_paid", {"order_id": payment.order_id}) in enqueued
    assert PaymentEvent.objects.get(to_status="succeeded").stripe_event_id == event["id"]


def test_the_same_event_delivered_five_times_changes_the_state_once(
    stripe_gateway, waiting, settings, django_capture_on_commit_callbacks, enqueued
):
    event = succeeded_event(stripe_gateway, waiting)

    responses = [deliver(event, settings, django_capture_on_commit_callbacks) for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        process_all(enqueued * 2)  # and the task itself run twice

    assert [r.status_code for r in responses] == [200] * 5
    assert [r.json()["duplicate"] for r in responses] == [False, True, True, True, True]
    assert StripeEvent.objects.count() == 1
    assert PaymentEvent.objects.filter(to_status="succeeded").count() == 1
    assert (
        OrderEvent.objects.filter(
            order=waiting.order, to_status="paid", kind="status_changed"
        ).count()
        == 1
    )
    ledger = LedgerEntry.objects.filter(order=waiting.order)
    assert ledger.aggregate(total=Sum("amount_order"))["total"] == Decimal("60.00")
    assert [n for n, _ in enqueued].count("fulfilment.order_paid") == 1


def test_five_distinct_events_for_one_payment_intent_change_the_state_once(
    stripe_gateway, waiting, settings, django_capture_on_commit_callbacks, enqueued
):
    intent = complete_action(stripe_gateway, waiting.provider_id, passed=True)
    events = [webhook_event("payment_intent.succeeded", intent) for _ in range(5)]

    for event in events:
        deliver(event, settings, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        process_all(enqueued)

    assert sorted(StripeEvent.objects.values_list("status", flat=True)) == ["ignored"] * 4 + [
        "processed"
    ]
    assert PaymentEvent.objects.filter(to_status="succeeded").count() == 1
    assert [n for n, _ in enqueued].count("fulfilment.order_paid") == 1


@pytest.mark.parametrize("how", ["stale", "forged"])
def test_a_stale_or_forged_signature_is_refused_and_nothing_changes(
    stripe_gateway, waiting, settings, django_capture_on_commit_callbacks, enqueued, how
):
    event = succeeded_event(stripe_gateway, waiting)
    signing = (
        {"timestamp": int(time.time()) - settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS - 60}
        if how == "stale"
        else {}
    )
    secret = settings.STRIPE_WEBHOOK_SECRET if how == "stale" else "whsec_forged"

    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(Client(), event, secret=secret, **signing)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert enqueued == []
    assert Payment.objects.get().status == "pending"
    assert order_status(waiting.order) == "unpaid"


@pytest.mark.parametrize(
    "changes, reported",
    [
        ({"amount": 5999, "amount_received": 5999}, "5999 of 5999 EUR"),
        ({"currency": "usd"}, "6000 of 6000 USD"),
        ({"amount_received": 100}, "100 of 6000 EUR"),
    ],
)
def test_an_event_for_another_amount_or_currency_fails_and_changes_nothing(
    stripe_gateway,
    waiting,
    settings,
    django_capture_on_commit_callbacks,
    enqueued,
    changes,
    reported,
):
    event = succeeded_event(stripe_gateway, waiting, **changes)

    deliver(event, settings, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        process_all(enqueued)

    stored = StripeEvent.objects.get()
    assert stored.status == "failed"
    assert stored.error == (
        f"Amount mismatch: PaymentIntent {waiting.provider_id} reports {reported} (minor "
        f"units); payment {waiting.pk} is 6000 EUR."
    )
    assert Payment.objects.get().status == "pending"
    assert order_status(waiting.order) == "unpaid"
    assert not LedgerEntry.objects.exists()
    assert [n for n, _ in enqueued].count("fulfilment.order_paid") == 0


def test_payment_intent_payment_failed_fails_the_payment_with_the_code(
    stripe_gateway, waiting, settings, django_capture_on_commit_callbacks, enqueued
):
    intent = complete_action(stripe_gateway, waiting.provider_id, passed=False)

    deliver(
        webhook_event("payment_intent.payment_failed", intent),
        settings,
        django_capture_on_commit_callbacks,
    )
    process_all(enqueued)

    payment = Payment.objects.get()
    assert (payment.status, payment.decline_code) == (
        "failed",
        "payment_intent_authentication_failure",
    )
    assert order_status(payment.order) == "unpaid"
    assert StripeEvent.objects.get().status == "processed"


def test_a_late_failure_after_success_never_moves_the_payment_back(
    stripe_gateway, waiting, settings, django_capture_on_commit_callbacks, enqueued
):
    failed_intent = {
        **stripe_gateway.state.payment_intents[waiting.provider_id],
        "status": "requires_payment_method",
        "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
    }
    failed = webhook_event(
        "payment_intent.payment_failed", failed_intent, created=int(time.time()) - 60
    )
    succeeded = succeeded_event(stripe_gateway, waiting)

    for event in (succeeded, failed):  # the older failure arrives last
        deliver(event, settings, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        process_all(enqueued)

    assert Payment.objects.get().status == "succeeded"
    assert order_status(waiting.order) == "paid"
    assert StripeEvent.objects.get(event_id=failed["id"]).status == "ignored"


def test_a_success_after_a_declined_attempt_on_the_same_payment_intent_pays_the_order(
    stripe_gateway, waiting, settings, django_capture_on_commit_callbacks, enqueued
):
    declined = complete_action(stripe_gateway, waiting.provider_id, passed=False)
    events = [
        webhook_event("payment_intent.payment_failed", declined),
        succeeded_event(stripe_gateway, waiting),
    ]

    for event in events:
        deliver(event, settings, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        process_all(enqueued)

    assert list(PaymentEvent.objects.values_list("to_status", flat=True)) == [
        "pending",
        "failed",
        "succeeded",
    ]
    assert order_status(waiting.order) == "paid"


def test_an_event_for_a_payment_intent_we_do_not_know_is_ignored(
    stripe_gateway, waiting, settings, django_capture_on_commit_callbacks, enqueued
):
    event = webhook_event(
        "payment_intent.succeeded",
        {
            "id": "pi_unknown",
            "object": "payment_intent",
            "amount": 6000,
            "currency": "eur",
            "status": "succeeded",
            "metadata": {},
        },
    )

    deliver(event, settings, django_capture_on_commit_callbacks)
    process_all(enqueued)

    assert StripeEvent.objects.get().status == "ignored"
    assert Payment.objects.get().status == "pending"


def test_a_payment_whose_intent_id_was_never_stored_is_found_by_its_metadata(
    stripe_gateway, waiting, settings, django_capture_on_commit_callbacks, enqueued
):
    event = succeeded_event(stripe_gateway, waiting)
    Payment.objects.filter(pk=waiting.pk).update(provider_id=None)  # as after a crash

    deliver(event, settings, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        process_all(enqueued)

    payment = Payment.objects.get()
    assert (payment.status, payment.provider_id) == ("succeeded", waiting.provider_id)


def test_money_taken_for_an_order_paid_meanwhile_is_recorded_and_the_order_left_alone(
    stripe_gateway, waiting, settings, django_capture_on_commit_callbacks, enqueued
):
    from market.orders.services import order_mark_paid

    order_mark_paid(order=waiting.order)  # e.g. staff recorded a bank transfer
    event = succeeded_event(stripe_gateway, waiting)

    deliver(event, settings, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        process_all(enqueued)

    payment_event = PaymentEvent.objects.get(to_status="succeeded")
    assert payment_event.note == "Order was paid already: the money is to refund."
    assert [n for n, _ in enqueued].count("fulfilment.order_paid") == 0

"""End to end with a real worker: Stripe's webhook → the worker → the order is paid."""

import time

import pytest
from django.conf import settings
from django.test import Client

from market.payments.models import Payment, StripeEvent
from market.payments.services import payment_create
from tests.celery_worker import worker_log
from tests.payments.helpers import order_status, unpaid_order
from tests.stripe_server.payment_intents import complete_action
from tests.stripe_server.server import webhook_event
from tests.stripe_server.signing import post_webhook

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_pays_the_order_on_payment_intent_succeeded(
    celery_worker_process, stripe_gateway
):
    payment = payment_create(order=unpaid_order(currency="EUR"), idempotency_key="k-worker")
    intent = complete_action(stripe_gateway, payment.provider_id, passed=True)
    event = webhook_event("payment_intent.succeeded", intent)

    responses = [
        post_webhook(Client(), event, secret=settings.STRIPE_WEBHOOK_SECRET) for _ in range(5)
    ]

    assert [r.status_code for r in responses] == [200] * 5
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if StripeEvent.objects.get(event_id=event["id"]).status != "received":
            break
        time.sleep(0.2)
    log = worker_log(celery_worker_process)
    assert StripeEvent.objects.get(event_id=event["id"]).status == "processed", log
    payment.refresh_from_db()
    assert (payment.status, payment.stripe_charge_id) == ("succeeded", intent["latest_charge"])
    assert order_status(payment.order) == "paid"
    assert Payment.objects.count() == 1

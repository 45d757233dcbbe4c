"""Racing payments and webhooks, for real, with threads on PostgreSQL."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from market.ledger.models import LedgerEntry
from market.payments.models import Payment, PaymentEvent, StripeEvent
from market.payments.services import payment_create
from market.payments.stripe_inbox import stripe_event_process, stripe_event_receive
from tests.concurrency import race
from tests.payments.helpers import NEEDS_3DS, order_status, unpaid_order
from tests.stripe_server.payment_intents import complete_action
from tests.stripe_server.server import webhook_event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_eight_workers_applying_eight_success_events_pay_the_order_once(stripe_gateway, enqueued):
    payment = payment_create(order=unpaid_order(currency="EUR"), idempotency_key="k1")
    intent = complete_action(stripe_gateway, payment.provider_id, passed=True)
    events = [
        stripe_event_receive(payload=webhook_event("payment_intent.succeeded", intent))[0]
        for _ in range(8)
    ]

    outcomes = race(*(lambda e=e: stripe_event_process(event_id=e.event_id) for e in events))

    assert all(isinstance(o, StripeEvent) for o in outcomes), outcomes

    assert sorted(StripeEvent.objects.values_list("status", flat=True)) == ["ignored"] * 7 + [
        "processed"
    ]
    assert PaymentEvent.objects.filter(to_status="succeeded").count() == 1
    assert order_status(payment.order) == "paid"
    assert LedgerEntry.objects.filter(order=payment.order).aggregate(total=Sum("amount_order"))[
        "total"
    ] == Decimal("60.00")
    assert [n for n, _ in enqueued].count("fulfilment.order_paid") == 1


def test_eight_tabs_paying_one_order_at_once_make_one_payment(enqueued):
    order = unpaid_order()

    # A card that waits for 3-D Secure keeps the payment open, so every tab gets it.
    outcomes = race(
        *(
            lambda i=i: payment_create(order=order, card=NEEDS_3DS, idempotency_key=f"tab-{i}")
            for i in range(8)
        )
    )

    assert all(isinstance(o, Payment) for o in outcomes), outcomes
    assert len({p.pk for p in outcomes}) == 1
    assert Payment.objects.count() == 1
    assert list(PaymentEvent.objects.values_list("to_status", flat=True)) == [
        "pending",
        "requires_action",
    ]

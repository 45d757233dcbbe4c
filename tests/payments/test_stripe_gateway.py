"""The Stripe gateway with the real SDK over HTTP against our local Stripe-compatible server.

(localstripe 1.15 refuses ``transfer_group`` on PaymentIntents and ignores idempotency keys,
both of which we rely on, so these tests use tests/stripe_server.)
"""

import pytest

from market.payments.models import Payment
from market.payments.services import payment_confirm, payment_create
from tests.payments.helpers import order_status, unpaid_order
from tests.stripe_server.payment_intents import complete_action

pytestmark = pytest.mark.django_db


def created_intent_calls(server):
    return server.calls_to("POST", "/v1/payment_intents")


@pytest.mark.parametrize("currency, minor", [("EUR", "6000"), ("JPY", "9600"), ("AZN", "12000")])
def test_a_payment_intent_is_created_in_minor_units_of_the_order_currency(
    stripe_gateway, currency, minor
):
    order = unpaid_order(currency=currency)

    payment = payment_create(order=order, idempotency_key="k1")

    [call] = created_intent_calls(stripe_gateway)
    assert call.params == {
        "amount": minor,
        "currency": currency.lower(),
        "transfer_group": order.number,
        "metadata": {"order_number": order.number, "payment_id": str(payment.pk)},
        "payment_method_types": ["card"],
        "description": f"Creative Market order {order.number}",
    }
    assert call.idempotency_key == f"payment-{payment.pk}-create"
    assert payment.amount_minor == int(minor)


def test_the_client_secret_of_the_payment_intent_is_returned_and_the_payment_waits(stripe_gateway):
    payment = payment_create(order=unpaid_order(), idempotency_key="k1")

    [intent] = stripe_gateway.state.payment_intents.values()
    assert payment.provider_id == intent["id"]
    assert payment.client_secret == intent["client_secret"]
    assert payment.status == "pending"
    assert payment.gateway == "stripe"


def test_a_lost_response_is_retried_with_the_same_key_and_creates_one_payment_intent(
    stripe_gateway,
):
    stripe_gateway.drop_next_response("/v1/payment_intents")

    payment = payment_create(order=unpaid_order(), idempotency_key="k1")

    calls = created_intent_calls(stripe_gateway)
    assert len(calls) == 2
    assert {c.idempotency_key for c in calls} == {f"payment-{payment.pk}-create"}
    assert len(stripe_gateway.state.payment_intents) == 1
    assert payment.provider_id == next(iter(stripe_gateway.state.payment_intents))


def test_asking_again_for_an_open_payment_creates_no_second_payment_intent(stripe_gateway):
    order = unpaid_order()
    first = payment_create(order=order, idempotency_key="k1")

    again = payment_create(order=order, idempotency_key="k2")

    assert again.pk == first.pk
    assert len(created_intent_calls(stripe_gateway)) == 1


def test_a_payment_method_that_succeeds_pays_the_order_at_once(
    stripe_gateway, django_capture_on_commit_callbacks, enqueued
):
    order = unpaid_order()

    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_create(order=order, card="pm_card_visa", idempotency_key="k1")

    [intent] = stripe_gateway.state.payment_intents.values()
    assert payment.status == "succeeded"
    assert payment.stripe_charge_id == intent["latest_charge"]
    assert order_status(order) == "paid"
    assert enqueued == [("fulfilment.order_paid", {"order_id": order.pk})]


def test_a_declined_payment_method_reports_the_code(stripe_gateway):
    order = unpaid_order()

    payment = payment_create(order=order, card="pm_card_chargeDeclined", idempotency_key="k1")

    [intent] = stripe_gateway.state.payment_intents.values()
    assert payment.status == "failed"
    assert payment.decline_code == "card_declined"
    assert payment.failure_message == "Your card was declined. (generic_decline)"
    assert payment.provider_id == intent["id"]
    assert order_status(order) == "unpaid"


def test_3ds_is_surfaced_with_the_next_action_and_settled_after_the_buyer_passes(
    stripe_gateway, django_capture_on_commit_callbacks, enqueued
):
    order = unpaid_order()
    payment = payment_create(
        order=order, card="pm_card_threeDSecure2Required", idempotency_key="k1"
    )
    started = (payment.status, payment.next_action["type"])
    complete_action(stripe_gateway, payment.provider_id, passed=True)

    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_confirm(payment=payment)

    assert started == ("requires_action", "use_stripe_sdk")
    assert payment.status == "succeeded"
    assert payment.stripe_charge_id.startswith("ch_")
    assert order_status(order) == "paid"


def test_3ds_refused_by_the_buyer_fails_the_payment(stripe_gateway):
    payment = payment_create(
        order=unpaid_order(), card="pm_card_threeDSecure2Required", idempotency_key="k1"
    )
    complete_action(stripe_gateway, payment.provider_id, passed=False)

    payment = payment_confirm(payment=payment)

    assert (payment.status, payment.decline_code) == (
        "failed",
        "payment_intent_authentication_failure",
    )


def test_a_card_number_is_never_sent_to_our_server_for_stripe(stripe_gateway):
    from market.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        payment_create(order=unpaid_order(), card="4242424242424242", idempotency_key="k1")

    assert (refused.value.code, refused.value.field) == ("invalid", "card")
    assert not Payment.objects.exists()
    assert stripe_gateway.state.calls == []


def test_a_rate_limited_stripe_request_is_reported_and_a_retry_with_the_same_key_completes_it(
    stripe_gateway,
):
    from market.core.errors import DomainError

    order = unpaid_order()
    # (Stripe's 5xx answers are retried by the SDK itself; a 4xx is not.)
    stripe_gateway.fail_next_request(
        "/v1/payment_intents", 429, "Too many requests", type="rate_limit_error"
    )
    with pytest.raises(DomainError) as outage:
        payment_create(order=order, idempotency_key="k1")

    payment = payment_create(order=order, idempotency_key="k1")

    assert outage.value.code == "gateway_unavailable"
    assert payment.status == "pending"
    assert payment.provider_id in stripe_gateway.state.payment_intents
    assert Payment.objects.count() == 1

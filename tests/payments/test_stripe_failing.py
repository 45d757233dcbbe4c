"""Stripe failing while a buyer pays, through the API against the local Stripe server made to
fail: a 500, an answer lost after the PaymentIntent was made (or charged), an answer slower than
our timeout. Every retry, the SDK's or the buyer's, carries the same idempotency key, and the
payment ends with one PaymentIntent charged once; while Stripe is down the API answers a clean
``GATEWAY_UNAVAILABLE``."""

import pytest

from market.orders.models import Order
from market.payments.models import Payment
from tests.payments.helpers import PAYMENT_CREATE, order_status, unpaid_order

pytestmark = pytest.mark.django_db

CREATE = "/v1/payment_intents"
UNAVAILABLE = {
    "field": None,
    "code": "GATEWAY_UNAVAILABLE",
    "message": "The payment provider is not answering. Try again in a minute: the order will "
    "not be charged twice.",
}


@pytest.fixture
def buyer_api(gql, stripe_gateway, enqueued):
    """Pay an order through the API (as a guest, by its token), Stripe being the gateway."""

    def pay(order: Order, *, key: str = "attempt-1", card: str | None = "pm_card_visa") -> dict:
        return gql.execute(
            PAYMENT_CREATE, {"orderToken": str(order.token), "card": card, "idempotencyKey": key}
        )["orderPaymentCreate"]

    return pay


def posts(server, path: str) -> list[tuple[str | None, int, bool]]:
    """(Idempotency-Key, status answered, replayed) of every POST the server saw to ``path``."""
    return [(c.idempotency_key, c.status, c.replayed) for c in server.calls_to("POST", path)]


def the_intent(server) -> dict:
    (intent,) = server.state.payment_intents.values()
    return intent


def test_a_500_on_creating_the_payment_intent_is_retried_with_the_same_key_and_pays_once(
    stripe_gateway, buyer_api
):
    order = unpaid_order()
    stripe_gateway.fail_next_request(CREATE, 500, "Stripe is having a bad day.", type="api_error")

    result = buyer_api(order)

    payment = Payment.objects.get()
    intent = the_intent(stripe_gateway)
    key = f"payment-{payment.pk}-create"
    assert result["errors"] == []
    assert result["payment"]["status"] == "SUCCEEDED"
    assert posts(stripe_gateway, CREATE) == [(key, 500, False), (key, 200, False)]
    assert (payment.provider_id, intent["status"]) == (intent["id"], "succeeded")
    assert order_status(order) == "paid"


def test_stripe_down_answers_a_clean_error_and_the_repeat_once_it_is_back_pays_once(
    stripe_gateway, buyer_api, settings
):
    # given Stripe answers 500 to the request and to each of the SDK's retries
    order = unpaid_order()
    attempts = settings.STRIPE_MAX_NETWORK_RETRIES + 1
    stripe_gateway.fail_next_request(
        CREATE, 500, "Stripe is having a bad day.", type="api_error", times=attempts
    )

    down = buyer_api(order)
    payment = Payment.objects.get()
    left = (payment.status, payment.provider_id, order_status(order))

    # when the buyer's client repeats the request, with the same key, once Stripe is back
    back = buyer_api(order)
    again = buyer_api(order)

    # then the first answer named no internals; the repeat paid the same payment, once
    assert (down["errors"], down["payment"]) == ([UNAVAILABLE], None)
    assert left == ("pending", None, "unpaid")
    assert back["errors"] == []
    assert back["payment"]["status"] == "SUCCEEDED"
    assert again["payment"]["id"] == back["payment"]["id"]
    assert Payment.objects.count() == 1
    key = f"payment-{payment.pk}-create"
    assert posts(stripe_gateway, CREATE) == [(key, 500, False)] * attempts + [(key, 200, False)]
    intent = the_intent(stripe_gateway)
    assert Payment.objects.get().provider_id == intent["id"]
    assert len(stripe_gateway.calls_to("POST", f"{CREATE}/{intent['id']}/confirm")) == 1


def test_an_answer_lost_after_the_payment_intent_was_made_is_asked_again_for_the_same_one(
    stripe_gateway, buyer_api, settings
):
    # given the SDK does not retry, so that the buyer sees the lost answer
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    order = unpaid_order()
    stripe_gateway.drop_next_response(CREATE)

    lost = buyer_api(order)
    made = the_intent(stripe_gateway)

    back = buyer_api(order)

    payment = Payment.objects.get()
    key = f"payment-{payment.pk}-create"
    assert lost["errors"] == [UNAVAILABLE]
    assert back["payment"]["status"] == "SUCCEEDED"
    assert posts(stripe_gateway, CREATE) == [(key, 200, False), (key, 200, True)]
    assert the_intent(stripe_gateway)["id"] == made["id"] == payment.provider_id
    assert the_intent(stripe_gateway)["status"] == "succeeded"


def test_an_answer_slower_than_the_timeout_is_asked_again_by_the_sdk_for_the_same_intent(
    stripe_gateway, buyer_api, settings
):
    # given Stripe makes the PaymentIntent at once but answers after our timeout
    settings.STRIPE_TIMEOUT_SECONDS = 1
    order = unpaid_order()
    stripe_gateway.delay_next_response(CREATE, 3)

    result = buyer_api(order)

    payment = Payment.objects.get()
    key = f"payment-{payment.pk}-create"
    assert result["payment"]["status"] == "SUCCEEDED"
    assert posts(stripe_gateway, CREATE) == [(key, 200, False), (key, 200, True)]
    assert the_intent(stripe_gateway)["id"] == payment.provider_id


def test_a_timeout_the_buyer_sees_is_retried_with_the_same_key_and_makes_one_intent(
    stripe_gateway, buyer_api, settings
):
    settings.STRIPE_TIMEOUT_SECONDS = 1
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    order = unpaid_order()
    stripe_gateway.delay_next_response(CREATE, 3)

    timed_out = buyer_api(order)
    back = buyer_api(order)

    payment = Payment.objects.get()
    key = f"payment-{payment.pk}-create"
    assert timed_out["errors"] == [UNAVAILABLE]
    assert back["payment"]["status"] == "SUCCEEDED"
    assert posts(stripe_gateway, CREATE) == [(key, 200, False), (key, 200, True)]
    assert the_intent(stripe_gateway)["id"] == payment.provider_id


def test_a_lost_answer_to_the_charge_is_asked_again_with_the_same_key_and_charges_once(
    stripe_gateway, buyer_api, settings
):
    # given a PaymentIntent made for the order, and Stripe's answer to charging it lost
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    order = unpaid_order()
    buyer_api(order, card=None)
    intent = the_intent(stripe_gateway)
    confirm = f"{CREATE}/{intent['id']}/confirm"
    stripe_gateway.drop_next_response(confirm)

    lost = buyer_api(order)
    charged = dict(the_intent(stripe_gateway))
    back = buyer_api(order)

    payment = Payment.objects.get()
    key = f"payment-{payment.pk}-confirm"
    assert lost["errors"] == [UNAVAILABLE]
    assert back["payment"]["status"] == "SUCCEEDED"
    assert posts(stripe_gateway, confirm) == [(key, 200, False), (key, 200, True)]
    assert payment.stripe_charge_id == charged["latest_charge"] == intent["latest_charge"]
    assert len(stripe_gateway.calls_to("POST", CREATE)) == 1


def test_another_card_after_a_lost_answer_to_the_charge_is_not_charged_again(
    stripe_gateway, buyer_api, settings
):
    # given the buyer's first card was charged, but the answer lost
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    order = unpaid_order()
    buyer_api(order, card=None)
    intent = the_intent(stripe_gateway)
    confirm = f"{CREATE}/{intent['id']}/confirm"
    stripe_gateway.drop_next_response(confirm)
    buyer_api(order, card="pm_card_visa")
    charge = the_intent(stripe_gateway)["latest_charge"]

    # when the buyer tries again with another card
    result = buyer_api(order, card="pm_card_mastercard")

    # then Stripe refuses a second confirmation under the key; the first charge is read back
    assert result["payment"]["status"] == "SUCCEEDED"
    assert [status for _, status, _ in posts(stripe_gateway, confirm)] == [200, 400]
    assert the_intent(stripe_gateway)["payment_method"] == "pm_card_visa"
    assert Payment.objects.get().stripe_charge_id == charge
    assert order_status(order) == "paid"


def test_a_request_stripe_refuses_answers_a_clean_gateway_error(
    stripe_gateway, buyer_api, settings
):
    # given a secret key Stripe does not accept (401, not worth retrying)
    settings.STRIPE_SECRET_KEY = "sk_test_revoked"
    order = unpaid_order()

    result = buyer_api(order)

    assert result["errors"] == [
        {
            "field": None,
            "code": "GATEWAY_ERROR",
            "message": "The payment provider refused to take this payment. Try again later, "
            "or contact us.",
        }
    ]
    assert len(stripe_gateway.calls_to("POST", CREATE)) == 1
    assert stripe_gateway.state.payment_intents == {}
    assert order_status(order) == "unpaid"

"""Paying an order with the dummy gateway (the demo): test cards, through the GraphQL API."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from graphql_relay import to_global_id

from market.ledger.models import LedgerEntry
from market.orders.models import OrderEvent
from market.orders.services import order_cancel, order_mark_paid
from market.payments.models import Payment, PaymentEvent
from tests.authorization.world import database_snapshot
from tests.payments.helpers import (
    DECLINES,
    NEEDS_3DS,
    PAYMENT_CONFIRM,
    PAYMENT_CREATE,
    SUCCEEDS,
    order_status,
    unpaid_order,
)

pytestmark = pytest.mark.django_db


def pay(gql, order, *, card=SUCCEEDS, key="pay-1", **variables):
    return gql.execute(
        PAYMENT_CREATE,
        {"orderToken": str(order.token), "card": card, "idempotencyKey": key, **variables},
    )["orderPaymentCreate"]


def test_a_guest_pays_with_the_succeeding_card_and_the_order_becomes_paid(
    gql, django_capture_on_commit_callbacks, enqueued
):
    order = unpaid_order(currency="EUR")

    with django_capture_on_commit_callbacks(execute=True):
        result = pay(gql, order)

    assert result["errors"] == []
    assert result["payment"]["status"] == "SUCCEEDED"
    assert result["payment"]["gateway"] == "DUMMY"
    assert result["payment"]["amount"] == {"amount": "60.00", "currency": "EUR"}
    assert result["payment"]["declineCode"] is None
    assert order_status(order) == "paid"
    payment = Payment.objects.get()
    assert (payment.amount, payment.currency, payment.amount_minor) == (
        Decimal("60.00"),
        "EUR",
        6000,
    )
    assert [(e.from_status, e.to_status) for e in payment.events.all()] == [
        ("", "pending"),
        ("pending", "succeeded"),
    ]


def test_a_succeeded_payment_records_the_order_in_the_ledger_once(
    gql, django_capture_on_commit_callbacks, enqueued
):
    order = unpaid_order(currency="EUR")

    with django_capture_on_commit_callbacks(execute=True):
        pay(gql, order)
        pay(gql, order)  # a retry with the same key

    entries = LedgerEntry.objects.filter(order=order)
    assert entries.aggregate(total=Sum("amount_order"))["total"] == Decimal("60.00")
    assert {e.reference for e in entries} == {f"payment:{Payment.objects.get().pk}"}


def test_sellers_are_told_of_the_paid_order_only_after_commit(
    gql, django_capture_on_commit_callbacks, enqueued
):
    order = unpaid_order(currency="EUR")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pay(gql, order)
        sent_before_commit = list(enqueued)
    for callback in callbacks:
        callback()

    assert sent_before_commit == []
    assert enqueued == [("fulfilment.order_paid", {"order_id": order.pk})]


def test_the_declining_card_reports_card_declined_and_leaves_the_order_unpaid(
    gql, django_capture_on_commit_callbacks, enqueued
):
    order = unpaid_order()

    with django_capture_on_commit_callbacks(execute=True):
        result = pay(gql, order, card=DECLINES)

    assert result["errors"] == []
    assert result["payment"]["status"] == "FAILED"
    assert result["payment"]["declineCode"] == "card_declined"
    assert result["payment"]["failureMessage"] == "Your card was declined."
    assert order_status(order) == "unpaid"
    assert not LedgerEntry.objects.filter(order=order).exists()
    assert enqueued == []


def test_after_a_decline_the_buyer_pays_again_with_a_new_key(
    gql, django_capture_on_commit_callbacks, enqueued
):
    order = unpaid_order()
    pay(gql, order, card=DECLINES, key="first")

    with django_capture_on_commit_callbacks(execute=True):
        result = pay(gql, order, card=SUCCEEDS, key="second")

    assert result["payment"]["status"] == "SUCCEEDED"
    assert list(Payment.objects.order_by("pk").values_list("status", flat=True)) == [
        "failed",
        "succeeded",
    ]
    assert order_status(order) == "paid"


def test_the_3ds_card_requires_action_until_confirmed(
    gql, django_capture_on_commit_callbacks, enqueued
):
    order = unpaid_order()
    started = pay(gql, order, card=NEEDS_3DS)

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = gql.execute(
            PAYMENT_CONFIRM,
            {
                "paymentId": started["payment"]["id"],
                "orderToken": str(order.token),
                "authenticated": True,
            },
        )["orderPaymentConfirm"]

    assert started["payment"]["status"] == "REQUIRES_ACTION"
    assert '"three_d_secure"' in started["payment"]["nextAction"]
    assert confirmed["errors"] == []
    assert confirmed["payment"]["status"] == "SUCCEEDED"
    assert confirmed["payment"]["nextAction"] is None
    assert order_status(order) == "paid"
    assert enqueued == [("fulfilment.order_paid", {"order_id": order.pk})]


def test_a_failed_3ds_authentication_fails_the_payment(gql):
    order = unpaid_order()
    started = pay(gql, order, card=NEEDS_3DS)

    confirmed = gql.execute(
        PAYMENT_CONFIRM,
        {
            "paymentId": started["payment"]["id"],
            "orderToken": str(order.token),
            "authenticated": False,
        },
    )["orderPaymentConfirm"]

    assert confirmed["payment"]["status"] == "FAILED"
    assert confirmed["payment"]["declineCode"] == "payment_intent_authentication_failure"
    assert order_status(order) == "unpaid"


def test_a_payment_that_needs_no_action_cannot_be_confirmed(gql):
    order = unpaid_order()
    declined = pay(gql, order, card=DECLINES)

    confirmed = gql.execute(
        PAYMENT_CONFIRM, {"paymentId": declined["payment"]["id"], "orderToken": str(order.token)}
    )["orderPaymentConfirm"]

    assert confirmed["payment"] is None
    assert [e["code"] for e in confirmed["errors"]] == ["INVALID_TRANSITION"]
    assert Payment.objects.get().status == "failed"


def test_the_same_idempotency_key_answers_with_the_same_payment(gql):
    order = unpaid_order()

    first, second = pay(gql, order, card=NEEDS_3DS), pay(gql, order, card=NEEDS_3DS)

    assert first["payment"]["id"] == second["payment"]["id"]
    assert Payment.objects.count() == 1


def test_while_a_payment_is_open_a_new_key_answers_with_it(gql):
    order = unpaid_order()
    first = pay(gql, order, card=NEEDS_3DS, key="first")

    second = pay(gql, order, card=SUCCEEDS, key="second")

    assert second["payment"]["id"] == first["payment"]["id"]
    assert second["payment"]["status"] == "REQUIRES_ACTION"
    assert Payment.objects.count() == 1


def test_the_amount_is_the_order_total_in_its_zero_decimal_currency(gql):
    order = unpaid_order(currency="JPY")

    result = pay(gql, order, card=NEEDS_3DS)

    assert result["payment"]["amount"] == {"amount": "9600", "currency": "JPY"}
    assert Payment.objects.get().amount_minor == 9600


@pytest.mark.parametrize(
    "arrange, status",
    [
        (lambda order: order_mark_paid(order=order), "paid"),
        (lambda order: order_cancel(order=order), "cancelled"),
    ],
)
def test_an_order_already_paid_or_cancelled_cannot_be_paid(gql, arrange, status):
    order = unpaid_order()
    arrange(order)
    before = database_snapshot()

    result = pay(gql, order)

    assert result["payment"] is None
    assert result["errors"] == [
        {
            "field": "orderToken",
            "code": "ORDER_NOT_PAYABLE",
            "message": f"Order {order.number} is {status}; there is nothing to pay.",
        }
    ]
    assert database_snapshot() == before


def test_an_idempotency_key_used_for_another_order_is_refused(gql):
    pay(gql, unpaid_order(), key="shared")
    other = unpaid_order()
    before = database_snapshot()

    result = pay(gql, other, key="shared")

    assert [(e["field"], e["code"]) for e in result["errors"]] == [("idempotencyKey", "INVALID")]
    assert database_snapshot() == before


@pytest.mark.parametrize(
    "variables, field, code",
    [
        ({"card": ""}, "card", "INVALID"),
        ({"card": None}, "card", "INVALID"),
        ({"gateway": "paypal"}, "gateway", "GATEWAY_NOT_AVAILABLE"),
        ({"gateway": "stripe"}, "gateway", "GATEWAY_NOT_AVAILABLE"),  # not enabled in the demo
        ({"idempotencyKey": " "}, "idempotencyKey", "INVALID"),
        ({"idempotencyKey": "k" * 129}, "idempotencyKey", "INVALID"),
        ({"card": "4" * 300}, "card", "INVALID"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(gql, variables, field, code):
    order = unpaid_order()
    before = database_snapshot()

    result = pay(gql, order, **variables)

    assert result["payment"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)]
    assert database_snapshot() == before


def test_an_unknown_card_number_is_declined_as_incorrect(gql):
    result = pay(gql, unpaid_order(), card="1234 5678 9012 3456")

    assert (result["payment"]["status"], result["payment"]["declineCode"]) == (
        "FAILED",
        "incorrect_number",
    )


def test_payment_history_is_kept_as_events(gql, django_capture_on_commit_callbacks, enqueued):
    order = unpaid_order()
    started = pay(gql, order, card=NEEDS_3DS)

    with django_capture_on_commit_callbacks(execute=True):
        gql.execute(
            PAYMENT_CONFIRM, {"paymentId": started["payment"]["id"], "orderToken": str(order.token)}
        )

    assert list(PaymentEvent.objects.values_list("from_status", "to_status")) == [
        ("", "pending"),
        ("pending", "requires_action"),
        ("requires_action", "succeeded"),
    ]
    assert (
        OrderEvent.objects.filter(order=order, kind="status_changed", to_status="paid").count() == 1
    )


def test_order_payments_lists_the_payments_of_the_token_holder(gql):
    order = unpaid_order()
    pay(gql, order, card=DECLINES, key="first")
    pay(gql, order, card=NEEDS_3DS, key="second")

    data = gql.execute(
        "query($t: UUID!) { orderPayments(token: $t) { status declineCode } }",
        {"t": str(order.token)},
    )

    assert data["orderPayments"] == [
        {"status": "REQUIRES_ACTION", "declineCode": None},
        {"status": "FAILED", "declineCode": "card_declined"},
    ]


def test_order_payments_of_an_unknown_token_is_empty(gql):
    data = gql.execute(
        'query { orderPayments(token: "6f1c4a6e-0000-4000-8000-000000000000") { status } }'
    )

    assert data["orderPayments"] == []


def gid(order):
    return to_global_id("Order", order.pk)


@pytest.mark.parametrize("card", [SUCCEEDS, DECLINES, NEEDS_3DS])
def test_the_payment_answered_is_the_one_stored(card):
    """The service answers with the payment as its moves left it, without reading it again:
    every field must be what the database holds."""
    from django.forms.models import model_to_dict

    from market.payments.services import payment_create

    order = unpaid_order(currency="EUR")

    answered = payment_create(order=order, gateway="dummy", card=card, idempotency_key="k-1")

    stored = Payment.objects.get(pk=answered.pk)
    assert model_to_dict(answered) == model_to_dict(stored)
    assert (answered.created_at, answered.updated_at) == (stored.created_at, stored.updated_at)

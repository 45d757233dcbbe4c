"""Who may pay an order: whoever holds its token (a guest's link), or its signed-in buyer by
id. Someone else's order or payment answers exactly like a missing one."""

import pytest
from graphql_relay import to_global_id

from market.payments.services import payment_create
from tests.authorization.world import database_snapshot
from tests.factories import SellerFactory, StaffFactory, UserFactory
from tests.payments.helpers import (
    NEEDS_3DS,
    PAYMENT_CONFIRM,
    PAYMENT_CREATE,
    SUCCEEDS,
    unpaid_order,
)

pytestmark = pytest.mark.django_db


def by_id(order, key="pay-1"):
    return {"orderId": to_global_id("Order", order.pk), "card": SUCCEEDS, "idempotencyKey": key}


def test_a_guest_holding_the_order_token_may_pay(gql):
    order = unpaid_order()

    result = gql.execute(
        PAYMENT_CREATE, {"orderToken": str(order.token), "card": SUCCEEDS, "idempotencyKey": "k"}
    )["orderPaymentCreate"]

    assert (result["errors"], result["payment"]["status"]) == ([], "SUCCEEDED")


def test_a_buyer_pays_their_own_order_by_id(gql_as):
    buyer = UserFactory()
    order = unpaid_order(user=buyer)

    result = gql_as(buyer).execute(PAYMENT_CREATE, by_id(order))["orderPaymentCreate"]

    assert (result["errors"], result["payment"]["status"]) == ([], "SUCCEEDED")


@pytest.mark.parametrize("who", ["another buyer", "a seller", "staff"])
def test_someone_elses_order_by_id_answers_like_a_missing_one(gql_as, who):
    order = unpaid_order(user=UserFactory())
    caller = {
        "another buyer": UserFactory,
        "staff": StaffFactory,
        "a seller": lambda: SellerFactory(user=UserFactory()).user,
    }[who]()
    client = gql_as(caller)
    before = database_snapshot()

    someone_elses = client.execute(PAYMENT_CREATE, by_id(order))["orderPaymentCreate"]
    missing = client.execute(
        PAYMENT_CREATE, {**by_id(order), "orderId": to_global_id("Order", 987654)}
    )["orderPaymentCreate"]

    assert (
        someone_elses
        == missing
        == {
            "payment": None,
            "errors": [{"field": "orderId", "code": "NOT_FOUND", "message": "No such order."}],
        }
    )
    assert database_snapshot() == before


def test_paying_by_id_needs_a_signed_in_buyer(gql):
    order = unpaid_order(user=UserFactory())
    before = database_snapshot()

    errors = gql.errors(PAYMENT_CREATE, by_id(order))

    assert [e["extensions"]["code"] for e in errors] == ["unauthenticated"]
    assert database_snapshot() == before


def test_naming_both_the_token_and_the_id_is_refused(gql_as):
    buyer = UserFactory()
    order = unpaid_order(user=buyer)

    result = gql_as(buyer).execute(
        PAYMENT_CREATE, {**by_id(order), "orderToken": str(order.token)}
    )["orderPaymentCreate"]

    assert [(e["field"], e["code"]) for e in result["errors"]] == [("orderToken", "INVALID")]


def test_another_orders_payment_cannot_be_confirmed_with_this_orders_token(gql):
    mine, theirs = unpaid_order(), unpaid_order()
    their_payment = payment_create(order=theirs, card=NEEDS_3DS, idempotency_key="theirs")
    before = database_snapshot()

    result = gql.execute(
        PAYMENT_CONFIRM,
        {"paymentId": to_global_id("Payment", their_payment.pk), "orderToken": str(mine.token)},
    )["orderPaymentConfirm"]

    assert result == {
        "payment": None,
        "errors": [{"field": "paymentId", "code": "NOT_FOUND", "message": "No such payment."}],
    }
    assert database_snapshot() == before

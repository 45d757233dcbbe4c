"""Who may call each orders mutation: anonymous, buyer, other seller, owner, staff without and
with orders.manage_orders. A refusal changes nothing."""

import pytest
from graphql_relay import to_global_id

from market.catalog.models import ProductVariant
from market.orders.models import Order, OrderEvent, OrderPart, OrderStatus
from market.orders.services import order_mark_paid
from tests.factories import (
    SellerFactory,
    StaffFactory,
    UserFactory,
    euro_rate,
    placed_order,
    ready_checkout,
    seller_with_variant,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "buyer", "other_seller", "owner", "staff", "manager"]


@pytest.fixture
def world():
    buyer = UserFactory()
    order, seller_a, seller_b = placed_order(buyer=buyer)
    return {
        "order": order,
        "seller_a": seller_a,
        "seller_b": seller_b,
        "buyer": buyer,
        "part": OrderPart.objects.get(order=order, seller=seller_a),
        "users": {
            "anonymous": None,
            "buyer": UserFactory(),
            "other_seller": SellerFactory(user=UserFactory()).user,
            "staff": StaffFactory(),
            "manager": StaffFactory(permissions=["orders.manage_orders"]),
        },
    }


def _snapshot(order):
    return (
        Order.objects.get(pk=order.pk).status,
        list(OrderPart.objects.filter(order=order).order_by("pk").values_list("status", flat=True)),
        OrderEvent.objects.filter(order=order).count(),
        list(ProductVariant.objects.order_by("pk").values_list("stock_quantity", flat=True)),
    )


def _outcome(client, query, variables, name):
    body = client.post(query, variables).json()
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]
    payload = body["data"][name]
    if payload["errors"]:
        return payload["errors"][0]["code"]
    return "ok"


ORDER_CANCEL = """mutation($id: ID, $token: UUID) { orderCancel(id: $id, token: $token,
  reason: "No longer needed") { order { status } errors { field code } } }"""
MARK_PAID = """mutation($id: ID!) { orderMarkPaid(id: $id) {
  order { status parts { status } } errors { field code } } }"""
START = """mutation($id: ID!) { orderPartStartFulfilment(id: $id) {
  part { status orderNumber } errors { field code } } }"""
PART_CANCEL = """mutation($id: ID!) { orderPartCancel(id: $id, reason: "Kiln broke") {
  part { status } errors { field code } } }"""


def _user(world, role, owner):
    return owner if role == "owner" else world["users"][role]


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", "unauthenticated"),
        ("buyer", "NOT_FOUND"),
        ("other_seller", "NOT_FOUND"),
        ("owner", "ok"),
        ("staff", "NOT_FOUND"),
        ("manager", "ok"),
    ],
)
def test_order_cancel_by_id(gql_as, world, role, expected):
    order = world["order"]
    before = _snapshot(order)

    outcome = _outcome(
        gql_as(_user(world, role, world["buyer"])),
        ORDER_CANCEL,
        {"id": to_global_id("Order", order.pk)},
        "orderCancel",
    )

    assert outcome == expected
    if expected == "ok":
        assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    else:
        assert _snapshot(order) == before


@pytest.mark.parametrize("role", ROLES)
def test_order_cancel_by_token_is_for_whoever_holds_the_token(gql_as, world, role):
    order = world["order"]

    outcome = _outcome(
        gql_as(_user(world, role, world["buyer"])),
        ORDER_CANCEL,
        {"token": str(order.token)},
        "orderCancel",
    )

    assert outcome == "ok"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED


def test_order_cancel_by_token_refuses_a_paid_order_for_guests(gql, world):
    order = world["order"]
    order_mark_paid(order=order, actor=None)
    before = _snapshot(order)

    outcome = _outcome(gql, ORDER_CANCEL, {"token": str(order.token)}, "orderCancel")

    assert outcome == "INVALID_TRANSITION"
    assert _snapshot(order) == before


def test_order_cancel_needs_id_or_token(gql_as, world):
    before = _snapshot(world["order"])

    outcome = _outcome(gql_as(world["buyer"]), ORDER_CANCEL, {}, "orderCancel")

    assert outcome == "INVALID"
    assert _snapshot(world["order"]) == before


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", "unauthenticated"),
        ("buyer", "permission_denied"),
        ("other_seller", "permission_denied"),
        ("owner", "permission_denied"),
        ("staff", "permission_denied"),
        ("manager", "ok"),
    ],
)
def test_order_mark_paid(gql_as, world, role, expected):
    order = world["order"]
    before = _snapshot(order)

    outcome = _outcome(
        gql_as(_user(world, role, world["buyer"])),
        MARK_PAID,
        {"id": to_global_id("Order", order.pk)},
        "orderMarkPaid",
    )

    assert outcome == expected
    if expected == "ok":
        assert _snapshot(order)[:2] == ("paid", ["paid", "paid"])
    else:
        assert _snapshot(order) == before


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", "unauthenticated"),
        ("buyer", "permission_denied"),
        ("other_seller", "NOT_FOUND"),
        ("owner", "ok"),
        ("staff", "permission_denied"),
        ("manager", "permission_denied"),
    ],
)
def test_order_part_start_fulfilment(gql_as, world, role, expected):
    order, part = world["order"], world["part"]
    order_mark_paid(order=order, actor=None)
    before = _snapshot(order)

    outcome = _outcome(
        gql_as(_user(world, role, world["seller_a"].user)),
        START,
        {"id": to_global_id("OrderPart", part.pk)},
        "orderPartStartFulfilment",
    )

    assert outcome == expected
    if expected == "ok":
        assert _snapshot(order)[1] == ["in_fulfilment", "paid"]
    else:
        assert _snapshot(order) == before


def test_the_other_seller_of_the_same_order_cannot_touch_this_part(gql_as, world):
    order_mark_paid(order=world["order"], actor=None)
    before = _snapshot(world["order"])

    outcome = _outcome(
        gql_as(world["seller_b"].user),
        START,
        {"id": to_global_id("OrderPart", world["part"].pk)},
        "orderPartStartFulfilment",
    )

    assert outcome == "NOT_FOUND"
    assert _snapshot(world["order"]) == before


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", "unauthenticated"),
        ("buyer", "permission_denied"),
        ("other_seller", "NOT_FOUND"),
        ("owner", "ok"),
        ("staff", "permission_denied"),
        ("manager", "ok"),
    ],
)
def test_order_part_cancel(gql_as, world, role, expected):
    order, part = world["order"], world["part"]
    before = _snapshot(order)

    outcome = _outcome(
        gql_as(_user(world, role, world["seller_a"].user)),
        PART_CANCEL,
        {"id": to_global_id("OrderPart", part.pk)},
        "orderPartCancel",
    )

    assert outcome == expected
    if expected == "ok":
        assert _snapshot(order)[1] == ["cancelled", "unpaid"]
    else:
        assert _snapshot(order) == before


def test_a_malformed_part_id_answers_not_found(gql_as, world):
    outcome = _outcome(
        gql_as(world["seller_a"].user),
        PART_CANCEL,
        {"id": to_global_id("Order", world["order"].pk)},
        "orderPartCancel",
    )

    assert outcome == "NOT_FOUND"


COMPLETE = """mutation($token: UUID!) { checkoutComplete(token: $token, idempotencyKey: "k-1")
  { order { number } errors { field code } } }"""


@pytest.mark.parametrize("role", ROLES)
def test_checkout_complete_is_for_whoever_holds_the_token(gql_as, role):
    """The checkout token is the secret (guest checkout): any caller holding it completes."""
    euro_rate()
    owner = UserFactory()
    seller, variant = seller_with_variant()
    users = {
        "anonymous": None,
        "buyer": UserFactory(),
        "owner": owner,
        "other_seller": SellerFactory(user=UserFactory()).user,
        "staff": StaffFactory(),
        "manager": StaffFactory(permissions=["orders.manage_orders"]),
    }
    checkout = ready_checkout(lines=[(variant, 1)], user=owner)

    outcome = _outcome(
        gql_as(users[role]), COMPLETE, {"token": str(checkout.token)}, "checkoutComplete"
    )

    assert outcome == "ok"
    assert Order.objects.get().user == owner

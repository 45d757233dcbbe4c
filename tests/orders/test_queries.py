"""Who sees which orders: buyers their own, guests one by token, sellers only their parts,
staff everything."""

import pytest

from market.checkout.completion import checkout_complete
from market.orders.models import OrderPart
from market.orders.services import order_mark_paid
from tests.factories import (
    SellerFactory,
    StaffFactory,
    UserFactory,
    euro_rate,
    key,
    listed_product,
    placed_order,
    ready_checkout,
)

pytestmark = pytest.mark.django_db

ORDER_FIELDS = """
  number status total { amount currency }
  parts { seller { slug } status lines { sku quantity unitPrice { amount } } }
  events { kind toStatus }
"""
MY_ORDERS = "query($first: Int) { myOrders(first: $first) { totalCount edges { node { %s } } } }"
BY_TOKEN = "query($token: UUID!) { orderByToken(token: $token) { %s } }"
SELLER_ORDERS = """
query($status: OrderStatus) {
  sellerOrders(first: 20, status: $status) {
    totalCount
    edges { node { id orderNumber status destinationCountry currency buyerEmail
      shippingAddress { name city postalCode }
      lines { sku quantity total { amount currency } } total { amount } } }
  }
}
"""
STAFF_ORDERS = """
query($status: OrderStatus) {
  orders(first: 20, status: $status) { totalCount edges { node { %s } } }
}
"""


def test_a_buyer_sees_only_their_own_orders(gql_as):
    buyer = UserFactory()
    mine, _, _ = placed_order(buyer=buyer)
    placed_order(buyer=UserFactory())

    data = gql_as(buyer).execute(MY_ORDERS % ORDER_FIELDS)["myOrders"]

    assert data["totalCount"] == 1
    node = data["edges"][0]["node"]
    assert (node["number"], node["status"], node["total"]) == (
        mine.number,
        "UNPAID",
        {"amount": "145.00", "currency": "EUR"},
    )
    assert [len(p["lines"]) for p in node["parts"]] == [1, 1]


def test_my_orders_needs_a_signed_in_buyer(gql):
    errors = gql.errors(MY_ORDERS % "number")

    assert errors[0]["extensions"]["code"] == "unauthenticated"


def test_a_guest_finds_their_order_by_its_token(gql):
    order, seller_a, seller_b = placed_order()

    data = gql.execute(BY_TOKEN % ORDER_FIELDS, {"token": str(order.token)})["orderByToken"]

    assert (data["number"], [p["seller"]["slug"] for p in data["parts"]]) == (
        order.number,
        [seller_a.slug, seller_b.slug],
    )
    assert data["events"] == [{"kind": "placed", "toStatus": "unpaid"}]


def test_an_unknown_token_finds_nothing(gql):
    placed_order()

    data = gql.execute(BY_TOKEN % "number", {"token": "00000000-0000-0000-0000-000000000000"})

    assert data["orderByToken"] is None


def test_a_seller_sees_only_their_own_parts(gql_as):
    order, seller_a, seller_b = placed_order()

    data = gql_as(seller_b.user).execute(SELLER_ORDERS)["sellerOrders"]

    assert data["totalCount"] == 1
    node = data["edges"][0]["node"]
    part = OrderPart.objects.get(order=order, seller=seller_b)
    assert node["orderNumber"] == order.number
    assert (node["status"], node["destinationCountry"], node["currency"], node["buyerEmail"]) == (
        "UNPAID",
        "DE",
        "EUR",
        "buyer@example.com",
    )
    assert node["shippingAddress"] == {
        "name": "Anna Schmidt",
        "city": "Berlin",
        "postalCode": "10115",
    }
    assert node["lines"] == [
        {
            "sku": part.lines.get().sku,
            "quantity": 1,
            "total": {"amount": "25.00", "currency": "EUR"},
        }
    ]
    assert node["total"] == {"amount": "35.00"}


def test_a_seller_filters_their_parts_by_status(gql_as):
    order, _, seller_b = placed_order()
    placed_order()
    order_mark_paid(order=order, actor=None)

    data = gql_as(seller_b.user).execute(SELLER_ORDERS, {"status": "PAID"})["sellerOrders"]

    assert [e["node"]["orderNumber"] for e in data["edges"]] == [order.number]


def test_a_seller_without_orders_sees_none(gql_as):
    placed_order()
    seller = SellerFactory(user=UserFactory())

    data = gql_as(seller.user).execute(SELLER_ORDERS)["sellerOrders"]

    assert data == {"totalCount": 0, "edges": []}


def test_seller_orders_is_for_sellers_only(gql_as):
    errors = gql_as(UserFactory()).errors(SELLER_ORDERS)

    assert errors[0]["extensions"]["code"] == "permission_denied"


def test_staff_with_manage_orders_see_every_order(gql_as):
    first, _, _ = placed_order()
    second, _, _ = placed_order()
    staff = StaffFactory(permissions=["orders.manage_orders"])

    data = gql_as(staff).execute(STAFF_ORDERS % "number")["orders"]

    assert (data["totalCount"], [e["node"]["number"] for e in data["edges"]]) == (
        2,
        [second.number, first.number],
    )


@pytest.mark.parametrize(
    "user_factory",
    [lambda: UserFactory(), lambda: StaffFactory(), lambda: SellerFactory(user=UserFactory()).user],
)
def test_every_order_is_for_staff_with_manage_orders_only(gql_as, user_factory):
    placed_order()

    errors = gql_as(user_factory()).errors(STAFF_ORDERS % "number")

    assert errors[0]["extensions"]["code"] == "permission_denied"


def test_order_lists_take_a_fixed_number_of_queries(gql_as, django_assert_max_num_queries):
    staff = StaffFactory(permissions=["orders.manage_orders"])
    buyer = UserFactory()
    for _ in range(3):
        placed_order(buyer=buyer)
    query = STAFF_ORDERS % ORDER_FIELDS

    as_staff, as_buyer = gql_as(staff), gql_as(buyer)

    # auth (user + permissions) + page + parts with sellers + lines + events + payments
    with django_assert_max_num_queries(9):
        data = as_staff.execute(query)["orders"]
    assert len(data["edges"]) == 3
    with django_assert_max_num_queries(7):
        data = as_buyer.execute(MY_ORDERS % ORDER_FIELDS, {"first": 10})["myOrders"]
    assert len(data["edges"]) == 3


def test_seller_orders_take_a_fixed_number_of_queries(gql_as, django_assert_max_num_queries):
    euro_rate()
    seller = SellerFactory(user=UserFactory())
    for _ in range(3):
        variant = listed_product(seller=seller, prices=("10.00",)).variants.get()
        checkout_complete(token=ready_checkout(lines=[(variant, 1)]).token, idempotency_key=key())

    as_seller = gql_as(seller.user)

    # auth (user + seller) + page + lines + customs papers
    with django_assert_max_num_queries(6):
        data = as_seller.execute(SELLER_ORDERS)["sellerOrders"]
    assert len(data["edges"]) == 3


def test_me_lists_the_buyers_own_orders_like_my_orders(gql_as):
    from tests.factories import UserFactory, placed_order

    buyer = UserFactory()
    order, _, _ = placed_order(buyer=buyer)
    placed_order()  # someone else's

    data = gql_as(buyer).execute(
        "{ me { orders(first: 10) { totalCount edges { node { number } } } } "
        "myOrders(first: 10) { edges { node { number } } } }"
    )

    assert data["me"]["orders"]["totalCount"] == 1
    assert [e["node"]["number"] for e in data["me"]["orders"]["edges"]] == [order.number]
    assert data["myOrders"]["edges"] == data["me"]["orders"]["edges"]

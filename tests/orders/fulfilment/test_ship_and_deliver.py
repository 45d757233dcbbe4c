"""The seller ships their part with a carrier and tracking number, then it is delivered:
delivered_at starts the hold period. Illegal moves are refused and change nothing."""

import datetime as dt

import pytest

from market.checkout.completion import checkout_complete
from market.orders.fulfilment import part_ship
from market.orders.models import OrderEvent, OrderPart, OrderStatus
from tests.factories import StaffFactory, key, ready_checkout
from tests.orders.fulfilment.helpers import gid, maker, paid_order, part_of

pytestmark = pytest.mark.django_db

SHIP = """mutation($id: ID!, $carrier: String!, $trackingNumber: String) {
  orderPartShip(id: $id, carrier: $carrier, trackingNumber: $trackingNumber) {
    part { status carrierCode trackingNumber trackingUrl shippedAt deliveredAt }
    errors { field code }
  }
}"""
DELIVER = """mutation($id: ID!) {
  orderPartDeliver(id: $id) {
    part { status deliveredAt customsDocuments { kind } }
    errors { field code }
  }
}"""


def snapshot(part):
    return (
        OrderPart.objects.filter(pk=part.pk).values().get(),
        OrderEvent.objects.filter(order_id=part.order_id).count(),
    )


def test_the_seller_ships_a_paid_part_with_its_tracking_number(gql_as, outbox):
    seller = maker()
    order = paid_order((seller, 1))
    part = part_of(order, seller)

    data = gql_as(seller.user).execute(
        SHIP, {"id": gid(part), "carrier": "manual", "trackingNumber": " RR123456789AZ "}
    )

    answer = data["orderPartShip"]
    assert answer["errors"] == []
    assert answer["part"]["status"] == "SHIPPED"
    assert answer["part"]["carrierCode"] == "manual"
    assert answer["part"]["trackingNumber"] == "RR123456789AZ"
    assert answer["part"]["trackingUrl"] is None
    assert answer["part"]["shippedAt"] is not None
    assert answer["part"]["deliveredAt"] is None
    part.refresh_from_db()
    assert (part.status, part.tracking_number) == (OrderStatus.SHIPPED, "RR123456789AZ")
    assert list(OrderEvent.objects.filter(part=part).values_list("kind", flat=True)) == [
        "paid",
        "fulfilment_started",
        "shipped",
    ]


def test_the_buyer_is_emailed_the_tracking_number_and_a_link_when_the_part_ships(gql_as, outbox):
    seller = maker()
    order = paid_order((seller, 1))

    gql_as(seller.user).execute(
        SHIP,
        {"id": gid(part_of(order, seller)), "carrier": "manual", "trackingNumber": "RR123456789AZ"},
    )

    [mail] = outbox.to("buyer@example.com")
    assert mail["subject"] == f"Your order {order.number}: {seller.name} has shipped"
    assert "Tracking number: RR123456789AZ" in mail["body"]
    assert f"/orders/{order.token}/" in mail["body"]


def test_the_seller_marks_their_shipped_part_delivered_and_the_hold_period_starts(gql_as, outbox):
    seller = maker()
    order = paid_order((seller, 1))
    part = part_ship(
        part=part_of(order, seller), actor=None, carrier_code="manual", tracking_number="RR1"
    )

    data = gql_as(seller.user).execute(DELIVER, {"id": gid(part)})

    assert data["orderPartDeliver"]["errors"] == []
    assert data["orderPartDeliver"]["part"]["status"] == "DELIVERED"
    part.refresh_from_db()
    assert part.status == OrderStatus.DELIVERED
    assert part.delivered_at is not None
    assert data["orderPartDeliver"]["part"]["deliveredAt"] == part.delivered_at.isoformat()
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED


def test_staff_with_manage_orders_mark_a_part_delivered_but_never_see_its_customs_papers(
    gql_as, outbox
):
    from workers.fulfilment import order_paid

    seller = maker()
    order = paid_order((seller, 1))
    order_paid(order_id=order.pk)
    part = part_ship(part=part_of(order, seller), actor=None, carrier_code="manual")
    staff = StaffFactory(permissions=["orders.manage_orders"])

    data = gql_as(staff).execute(DELIVER, {"id": gid(part)})

    assert data["orderPartDeliver"]["part"] == {
        "status": "DELIVERED",
        "deliveredAt": data["orderPartDeliver"]["part"]["deliveredAt"],
        "customsDocuments": [],
    }
    assert part.customs_documents.count() == 1


def test_delivering_a_part_that_has_not_shipped_is_refused_and_changes_nothing(gql_as):
    seller = maker()
    part = part_of(paid_order((seller, 1)), seller)
    before = snapshot(part)

    data = gql_as(seller.user).execute(DELIVER, {"id": gid(part)})

    assert data["orderPartDeliver"] == {
        "part": None,
        "errors": [{"field": "status", "code": "INVALID_TRANSITION"}],
    }
    assert snapshot(part) == before


def test_shipping_an_unpaid_part_is_refused_and_changes_nothing(gql_as):
    seller = maker()
    checkout = ready_checkout(lines=[(seller.products.get().variants.get(), 1)], currency="AZN")
    part = part_of(checkout_complete(token=checkout.token, idempotency_key=key()), seller)
    before = snapshot(part)

    data = gql_as(seller.user).execute(SHIP, {"id": gid(part), "carrier": "manual"})

    assert data["orderPartShip"]["errors"] == [{"field": "status", "code": "INVALID_TRANSITION"}]
    assert snapshot(part) == before


def test_shipping_a_part_twice_is_refused_and_keeps_the_first_tracking_number(gql_as, outbox):
    seller = maker()
    part = part_ship(
        part=part_of(paid_order((seller, 1)), seller),
        actor=None,
        carrier_code="manual",
        tracking_number="FIRST",
    )
    before = snapshot(part)

    data = gql_as(seller.user).execute(
        SHIP, {"id": gid(part), "carrier": "manual", "trackingNumber": "SECOND"}
    )

    assert data["orderPartShip"]["errors"] == [{"field": "status", "code": "INVALID_TRANSITION"}]
    assert snapshot(part) == before


def test_an_unknown_carrier_is_refused_and_changes_nothing(gql_as):
    seller = maker()
    part = part_of(paid_order((seller, 1)), seller)
    before = snapshot(part)

    data = gql_as(seller.user).execute(SHIP, {"id": gid(part), "carrier": "pigeon"})

    assert data["orderPartShip"]["errors"] == [{"field": "carrier", "code": "UNKNOWN_CARRIER"}]
    assert snapshot(part) == before


def test_a_tracking_number_longer_than_64_characters_is_refused_and_changes_nothing(gql_as):
    seller = maker()
    part = part_of(paid_order((seller, 1)), seller)
    before = snapshot(part)

    data = gql_as(seller.user).execute(
        SHIP, {"id": gid(part), "carrier": "manual", "trackingNumber": "R" * 65}
    )

    assert data["orderPartShip"]["errors"] == [
        {"field": "trackingNumber", "code": "INVALID_TRACKING_NUMBER"}
    ]
    assert snapshot(part) == before


def test_the_seller_downloads_their_customs_papers_from_their_orders(gql_as, outbox):
    import base64

    from workers.fulfilment import order_paid

    seller = maker(price="700.00")
    order = paid_order((seller, 1))
    order_paid(order_id=order.pk)

    data = gql_as(seller.user).execute(
        "{ sellerOrders(first: 5) { edges { node { customsDocuments {"
        " kind sizeBytes contentBase64 } } } } }"
    )

    [node] = [edge["node"] for edge in data["sellerOrders"]["edges"]]
    assert [doc["kind"] for doc in node["customsDocuments"]] == ["CN23", "COMMERCIAL_INVOICE"]
    for doc in node["customsDocuments"]:
        content = base64.b64decode(doc["contentBase64"])
        assert content.startswith(b"%PDF")
        assert len(content) == doc["sizeBytes"]


def test_buyers_see_the_tracking_but_their_order_parts_carry_no_customs_papers(gql_as, outbox):
    from market.graphql.schema import schema

    fields = schema.graphql_schema.get_type("OrderPart").fields

    assert {"trackingNumber", "trackingUrl", "shippedAt", "deliveredAt"} <= set(fields)
    assert "customsDocuments" not in fields


def test_a_delivery_reported_at_a_given_time_sets_delivered_at_to_that_time(outbox):
    from market.orders.carriers import TrackingStatus, TrackingUpdate
    from market.orders.fulfilment import tracking_update

    seller = maker()
    part = part_ship(
        part=part_of(paid_order((seller, 1)), seller), actor=None, carrier_code="manual"
    )
    arrived = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)

    part = tracking_update(part=part, update=TrackingUpdate(TrackingStatus.DELIVERED, arrived))

    part.refresh_from_db()
    assert (part.status, part.delivered_at) == (OrderStatus.DELIVERED, arrived)


def test_the_customs_papers_of_a_page_of_orders_take_one_query_whatever_its_size(gql_as, outbox):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workers.fulfilment import order_paid

    seller = maker(price="700.00")
    query = (
        "{ sellerOrders(first: 10) { edges { node { orderNumber customsDocuments {"
        " kind sizeBytes } } } } }"
    )

    def queries_for_a_page():
        with CaptureQueriesContext(connection) as captured:
            data = gql_as(seller.user).execute(query)
        return len(captured), data["sellerOrders"]["edges"]

    order_paid(order_id=paid_order((seller, 1)).pk)
    one, edges = queries_for_a_page()
    assert len(edges) == 1
    for _ in range(3):
        order_paid(order_id=paid_order((seller, 1)).pk)
    four, edges = queries_for_a_page()

    assert len(edges) == 4
    assert all(len(edge["node"]["customsDocuments"]) == 2 for edge in edges)
    assert four == one

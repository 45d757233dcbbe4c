"""The order's and the parts' status machines, cancelling, and stock put back."""

import pytest

from market.catalog.models import ProductVariant
from market.core.errors import DomainError
from market.orders.models import Order, OrderEvent, OrderPart, OrderStatus
from market.orders.services import (
    order_cancel,
    order_mark_paid,
    order_part_cancel,
    order_part_mark_shipped,
    order_part_start_fulfilment,
    order_status_roll_up,
)
from tests.factories import StaffFactory, UserFactory, placed_order

pytestmark = pytest.mark.django_db

S = OrderStatus


@pytest.fixture
def staff():
    return StaffFactory(permissions=["orders.manage_orders"])


def _statuses(order) -> tuple[str, list[str]]:
    return (
        Order.objects.get(pk=order.pk).status,
        list(OrderPart.objects.filter(order=order).order_by("pk").values_list("status", flat=True)),
    )


def _stock(order) -> list[int]:
    ids = order.parts.values_list("lines__variant_id", flat=True).order_by("pk")
    return [ProductVariant.objects.get(pk=pk).stock_quantity for pk in ids]


def _part(order, seller) -> OrderPart:
    return OrderPart.objects.get(order=order, seller=seller)


def test_marking_an_order_paid_moves_every_part_and_the_order(staff):
    order, _, _ = placed_order()

    order_mark_paid(order=order, actor=staff)

    assert _statuses(order) == (S.PAID, [S.PAID, S.PAID])
    assert list(
        OrderEvent.objects.filter(order=order).values_list("kind", "from_status", "to_status")
    ) == [
        ("placed", "", "unpaid"),
        ("paid", "unpaid", "paid"),
        ("paid", "unpaid", "paid"),
        ("status_changed", "unpaid", "paid"),
    ]


def test_an_order_is_as_far_as_its_slowest_live_part(staff):
    order, seller_a, seller_b = placed_order()
    order_mark_paid(order=order, actor=staff)

    order_part_start_fulfilment(part=_part(order, seller_a), actor=seller_a.user)
    order_part_mark_shipped(
        part=_part(order, seller_a), actor=seller_a.user, carrier="DHL", tracking_number="JD0001"
    )
    assert _statuses(order) == (S.PAID, [S.SHIPPED, S.PAID])

    order_part_start_fulfilment(part=_part(order, seller_b), actor=seller_b.user)
    assert _statuses(order) == (S.IN_FULFILMENT, [S.SHIPPED, S.IN_FULFILMENT])


def test_shipping_records_carrier_and_tracking(staff):
    order, seller_a, _ = placed_order()
    order_mark_paid(order=order, actor=staff)
    order_part_start_fulfilment(part=_part(order, seller_a), actor=seller_a.user)

    order_part_mark_shipped(
        part=_part(order, seller_a), actor=seller_a.user, carrier="DHL", tracking_number="JD0001"
    )

    part = _part(order, seller_a)
    event = OrderEvent.objects.get(part=part, kind="shipped")
    assert (part.status, part.carrier, event.note) == (S.SHIPPED, "DHL", "JD0001")


@pytest.mark.parametrize(
    "statuses, expected",
    [
        ([S.UNPAID, S.UNPAID], S.UNPAID),
        ([S.PAID, S.SHIPPED], S.PAID),
        ([S.CANCELLED, S.SHIPPED], S.SHIPPED),
        ([S.CANCELLED, S.CANCELLED], S.CANCELLED),
        ([S.CANCELLED, S.REFUNDED], S.REFUNDED),
        ([S.DELIVERED, S.COMPLETED], S.DELIVERED),
    ],
)
def test_the_order_status_rolls_up_from_its_parts(statuses, expected):
    assert order_status_roll_up(statuses) == expected


def test_fulfilment_cannot_start_before_payment():
    order, seller_a, _ = placed_order()

    with pytest.raises(DomainError) as refused:
        order_part_start_fulfilment(part=_part(order, seller_a), actor=seller_a.user)

    assert (refused.value.code, refused.value.field) == ("invalid_transition", "status")
    assert _statuses(order) == (S.UNPAID, [S.UNPAID, S.UNPAID])
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_a_part_cannot_ship_before_fulfilment_starts(staff):
    order, seller_a, _ = placed_order()
    order_mark_paid(order=order, actor=staff)

    with pytest.raises(DomainError) as refused:
        order_part_mark_shipped(part=_part(order, seller_a), actor=seller_a.user)

    assert refused.value.code == "invalid_transition"
    assert _statuses(order) == (S.PAID, [S.PAID, S.PAID])


def test_a_paid_order_cannot_be_paid_again(staff):
    order, _, _ = placed_order()
    order_mark_paid(order=order, actor=staff)

    with pytest.raises(DomainError) as refused:
        order_mark_paid(order=order, actor=staff)

    assert refused.value.code == "invalid_transition"
    assert OrderEvent.objects.filter(order=order).count() == 4


def test_a_stale_copy_of_a_part_is_read_again_under_its_lock(staff):
    order, seller_a, _ = placed_order()
    stale = _part(order, seller_a)
    order_mark_paid(order=order, actor=staff)

    order_part_start_fulfilment(part=stale, actor=seller_a.user)

    assert _statuses(order) == (S.PAID, [S.IN_FULFILMENT, S.PAID])


def test_cancelling_an_unpaid_order_cancels_every_part_and_restores_stock():
    buyer = UserFactory()
    order, _, _ = placed_order(buyer=buyer)
    assert _stock(order) == [3, 2]

    order_cancel(order=order, actor=buyer, reason="Changed my mind")

    assert _statuses(order) == (S.CANCELLED, [S.CANCELLED, S.CANCELLED])
    assert _stock(order) == [5, 3]
    assert OrderEvent.objects.filter(order=order, kind="status_changed").get().note == (
        "Changed my mind"
    )


def test_a_buyer_cannot_cancel_a_paid_order(staff):
    buyer = UserFactory()
    order, _, _ = placed_order(buyer=buyer)
    order_mark_paid(order=order, actor=staff)

    with pytest.raises(DomainError) as refused:
        order_cancel(order=order, actor=buyer)

    assert refused.value.code == "invalid_transition"
    assert _statuses(order) == (S.PAID, [S.PAID, S.PAID])
    assert _stock(order) == [3, 2]


def test_staff_may_cancel_a_paid_order_before_shipment(staff):
    order, seller_a, _ = placed_order()
    order_mark_paid(order=order, actor=staff)
    order_part_start_fulfilment(part=_part(order, seller_a), actor=seller_a.user)

    order_cancel(order=order, actor=staff, reason="Payment disputed", by_order_manager=True)

    assert _statuses(order) == (S.CANCELLED, [S.CANCELLED, S.CANCELLED])
    assert _stock(order) == [5, 3]


def test_an_order_with_a_shipped_part_cannot_be_cancelled(staff):
    order, seller_a, _ = placed_order()
    order_mark_paid(order=order, actor=staff)
    order_part_start_fulfilment(part=_part(order, seller_a), actor=seller_a.user)
    order_part_mark_shipped(part=_part(order, seller_a), actor=seller_a.user)

    with pytest.raises(DomainError) as refused:
        order_cancel(order=order, actor=staff, by_order_manager=True)

    assert (refused.value.code, refused.value.field) == ("already_shipped", "id")
    assert _statuses(order) == (S.PAID, [S.SHIPPED, S.PAID])
    assert _stock(order) == [3, 2]


def test_cancelling_one_part_restores_only_its_stock(staff):
    order, seller_a, seller_b = placed_order()
    order_mark_paid(order=order, actor=staff)

    order_part_cancel(part=_part(order, seller_b), actor=seller_b.user, reason="Broken kiln")

    assert _statuses(order) == (S.PAID, [S.PAID, S.CANCELLED])
    assert _stock(order) == [3, 3]


def test_a_shipped_part_cannot_be_cancelled(staff):
    order, seller_a, _ = placed_order()
    order_mark_paid(order=order, actor=staff)
    order_part_start_fulfilment(part=_part(order, seller_a), actor=seller_a.user)
    order_part_mark_shipped(part=_part(order, seller_a), actor=seller_a.user)

    with pytest.raises(DomainError) as refused:
        order_part_cancel(part=_part(order, seller_a), actor=staff)

    assert refused.value.code == "already_shipped"
    assert _stock(order) == [3, 2]


def test_a_cancelled_part_cannot_be_cancelled_twice(staff):
    order, _, seller_b = placed_order()
    order_part_cancel(part=_part(order, seller_b), actor=staff)

    with pytest.raises(DomainError) as refused:
        order_part_cancel(part=_part(order, seller_b), actor=staff)

    assert refused.value.code == "invalid_transition"
    assert _stock(order) == [3, 3]

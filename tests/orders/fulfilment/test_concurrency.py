"""Twin deliveries of the order-paid message, racing for real with threads on PostgreSQL."""

import pytest

from market.orders.models import CustomsDocument, OrderEvent
from tests.concurrency import race
from tests.orders.fulfilment.helpers import maker, paid_order
from workers.fulfilment import order_paid

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_four_workers_handling_the_same_paid_order_notify_once_and_make_one_set_of_papers(outbox):
    vases, rugs = maker(price="100.00"), maker(price="700.00")
    order = paid_order((vases, 1), (rugs, 1))
    outcomes = race(*[lambda: order_paid(order_id=order.pk)] * 4)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert [len(outbox.to(seller.contact_email)) for seller in (vases, rugs)] == [1, 1]
    assert OrderEvent.objects.filter(order=order, kind="seller_notified").count() == 2
    assert sorted(CustomsDocument.objects.values_list("kind", flat=True)) == [
        "CN22",
        "CN23",
        "commercial_invoice",
    ]

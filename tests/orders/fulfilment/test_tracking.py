"""Carriers we can ask are polled for their shipped parcels; a manual carrier never is."""

import datetime as dt

import pytest

from market.orders import carriers
from market.orders.carriers import Carrier, TrackingStatus, TrackingUpdate
from market.orders.fulfilment import part_ship
from market.orders.models import OrderEvent, OrderStatus
from tests.orders.fulfilment.helpers import maker, paid_order, part_of
from workers.fulfilment import poll_tracking

pytestmark = pytest.mark.django_db

ARRIVED = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)


class ParcelPost(Carrier):
    """A carrier answering from a dict of tracking number → update."""

    code = "parcelpost"
    name = "Parcel Post"

    def __init__(self, news):
        self.news = news
        self.asked = []

    def tracking_url(self, tracking_number):
        return f"https://track.example/{tracking_number}"

    def poll(self, part):
        self.asked.append(part.tracking_number)
        news = self.news.get(part.tracking_number)
        if isinstance(news, Exception):
            raise news
        return news


@pytest.fixture
def parcel_post(monkeypatch):
    carrier = ParcelPost({})
    monkeypatch.setitem(carriers.CARRIERS, carrier.code, carrier)
    return carrier


def shipped(carrier_code, tracking_number):
    seller = maker()
    return part_ship(
        part=part_of(paid_order((seller, 1)), seller),
        actor=None,
        carrier_code=carrier_code,
        tracking_number=tracking_number,
    )


def test_a_reported_delivery_delivers_the_part_at_the_reported_time(parcel_post, outbox):
    part = shipped("parcelpost", "PP1")
    parcel_post.news["PP1"] = TrackingUpdate(TrackingStatus.DELIVERED, ARRIVED, "Handed over")

    assert poll_tracking() == 1

    part.refresh_from_db()
    assert (part.status, part.delivered_at) == (OrderStatus.DELIVERED, ARRIVED)


def test_news_in_transit_is_noted_once_however_often_the_carrier_repeats_it(parcel_post, outbox):
    part = shipped("parcelpost", "PP2")
    parcel_post.news["PP2"] = TrackingUpdate(TrackingStatus.IN_TRANSIT, ARRIVED, "At Frankfurt")

    poll_tracking()
    poll_tracking()

    part.refresh_from_db()
    assert part.status == OrderStatus.SHIPPED
    assert list(
        OrderEvent.objects.filter(part=part, kind="tracking").values_list("note", flat=True)
    ) == ["in_transit at 2026-03-02T10:30:00+00:00: At Frankfurt"]


def test_manual_parcels_are_never_polled_and_an_outage_spares_the_other_parcels(
    parcel_post, outbox
):
    manual = shipped("manual", "M1")
    failing = shipped("parcelpost", "PP3")
    arriving = shipped("parcelpost", "PP4")
    parcel_post.news.update(
        {
            "PP3": ConnectionError("carrier down"),
            "PP4": TrackingUpdate(TrackingStatus.DELIVERED, ARRIVED),
        }
    )

    assert poll_tracking() == 1

    assert parcel_post.asked == ["PP3", "PP4"]
    for part in (manual, failing, arriving):
        part.refresh_from_db()
    assert [manual.status, failing.status, arriving.status] == [
        OrderStatus.SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ]


def test_the_tracking_link_of_a_followed_carrier_reaches_the_buyer(parcel_post, outbox):
    shipped("parcelpost", "PP5")

    [mail] = outbox.to("buyer@example.com")
    assert "Follow it: https://track.example/PP5" in mail["body"]

"""Units in one checkout are held from the others until the reservation lapses."""

import datetime as dt

import pytest
from django.utils import timezone

from market.checkout import services
from market.checkout.models import Checkout, StockReservation
from market.checkout.selectors import stock_available
from market.core.errors import DomainError
from tests.checkout.helpers import reserved, variant_in_stock
from tests.concurrency import domain_outcomes, race
from workers.checkout import delete_expired_checkouts, release_expired_reservations


def _expire_reservations(checkout):
    StockReservation.objects.filter(checkout=checkout).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )


@pytest.mark.django_db
def test_a_reservation_holds_the_units_from_another_checkout():
    variant = variant_in_stock(stock=3)
    services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 2}])
    other = services.checkout_create()

    with pytest.raises(DomainError) as refused:
        services.checkout_lines_add(
            checkout=other, lines=[{"variant_id": variant.pk, "quantity": 2}]
        )

    assert (refused.value.code, refused.value.message) == (
        "insufficient_stock",
        "Only 1 left in stock.",
    )
    assert reserved(other) == {}


@pytest.mark.django_db
def test_stock_available_excludes_only_other_checkouts_reservations():
    variant = variant_in_stock(stock=5)
    checkout = services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 2}])

    assert stock_available(variant=variant) == 3
    assert stock_available(variant=variant, exclude_checkout=checkout) == 5


@pytest.mark.django_db
def test_the_last_unit_reserved_elsewhere_is_out_of_stock_until_the_reservation_expires():
    variant = variant_in_stock(stock=1)
    holder = services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 1}])
    other = services.checkout_create()
    with pytest.raises(DomainError) as refused:
        services.checkout_lines_add(
            checkout=other, lines=[{"variant_id": variant.pk, "quantity": 1}]
        )
    assert refused.value.code == "out_of_stock"

    _expire_reservations(holder)
    services.checkout_lines_add(checkout=other, lines=[{"variant_id": variant.pk, "quantity": 1}])

    assert reserved(other) == {variant.pk: 1}


@pytest.mark.django_db
def test_touching_a_checkout_renews_its_reservations(settings):
    variant = variant_in_stock(stock=2)
    checkout = services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 2}])
    _expire_reservations(checkout)
    before = timezone.now()

    services.checkout_email_update(checkout=checkout, email="a@example.com")

    reservation = StockReservation.objects.get(checkout=checkout)
    assert reservation.quantity == 2
    assert reservation.expires_at >= before + dt.timedelta(
        seconds=settings.CHECKOUT_RESERVATION_SECONDS
    )


@pytest.mark.django_db
def test_renewing_holds_only_what_other_checkouts_left_after_a_lapse():
    variant = variant_in_stock(stock=3)
    lapsed = services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 2}])
    _expire_reservations(lapsed)
    services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 2}])

    services.checkout_email_update(checkout=lapsed, email="a@example.com")

    assert reserved(lapsed) == {variant.pk: 1}
    assert list(lapsed.lines.values_list("quantity", flat=True)) == [2]


@pytest.mark.django_db
def test_the_periodic_task_deletes_expired_reservations_only():
    variant = variant_in_stock(stock=5)
    lapsed = services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 2}])
    live = services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 1}])
    _expire_reservations(lapsed)

    released = release_expired_reservations()

    assert released == 1
    assert reserved(lapsed) == {} and reserved(live) == {variant.pk: 1}
    assert stock_available(variant=variant) == 4


@pytest.mark.django_db
def test_abandoned_checkouts_are_deleted_a_day_after_they_expire():
    variant = variant_in_stock(stock=5)
    abandoned = services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 1}])
    recent = services.checkout_create()
    Checkout.objects.filter(pk=abandoned.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=2)
    )
    Checkout.objects.filter(pk=recent.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))

    deleted = delete_expired_checkouts()

    assert deleted == 1
    assert list(Checkout.objects.values_list("pk", flat=True)) == [recent.pk]
    assert StockReservation.objects.count() == 0


def reserve_one(variant, checkout):
    return lambda: services.checkout_lines_add(
        checkout=checkout, lines=[{"variant_id": variant.pk, "quantity": 1}]
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_checkouts_racing_for_the_last_unit_reserve_it_once():
    variant = variant_in_stock(stock=1)
    checkouts = [services.checkout_create() for _ in range(2)]
    outcomes = race(*(reserve_one(variant, checkout) for checkout in checkouts))

    assert sorted(domain_outcomes(outcomes, ok="reserved")) == ["out_of_stock", "reserved"]
    assert list(StockReservation.objects.values_list("quantity", flat=True)) == [1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_checkouts_racing_for_three_units_reserve_exactly_three():
    variant = variant_in_stock(stock=3)
    checkouts = [services.checkout_create() for _ in range(8)]
    outcomes = race(*(reserve_one(variant, checkout) for checkout in checkouts))

    assert (
        sorted(domain_outcomes(outcomes, ok="reserved")) == ["out_of_stock"] * 5 + ["reserved"] * 3
    )
    assert StockReservation.objects.count() == 3

"""The one status-machine helper: a move the table allows, one it refuses, a lost race, and the
event row that is written with the move (or not at all)."""

import pytest

from market.core.state_machine import Outcome, transition
from market.sellers.models import Seller, SellerEvent, SellerEventKind, SellerStatus
from tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

S = SellerStatus
TABLE = {S.DRAFT: {S.SUBMITTED}, S.SUBMITTED: {S.APPROVED, S.REJECTED}}


def _event(seller):
    def write(old, new):
        SellerEvent.objects.create(
            seller=seller, kind=SellerEventKind.SUBMITTED, from_status=old, to_status=new
        )

    return write


def _move(seller, to, *, source=None, event=None, **kwargs):
    return transition(
        Seller.objects,
        pk=seller.pk,
        table=kwargs.pop("table", TABLE),
        source=source or seller.status,
        to=to,
        event=event or _event(seller),
        **kwargs,
    )


def test_a_legal_move_changes_the_status_and_writes_one_event():
    seller = SellerFactory(status=S.DRAFT)

    outcome = _move(seller, S.SUBMITTED, updates={"rejection_reason": "x"})

    assert outcome is Outcome.MOVED and outcome
    seller.refresh_from_db()
    assert (seller.status, seller.rejection_reason) == (S.SUBMITTED, "x")
    assert list(SellerEvent.objects.values_list("from_status", "to_status")) == [
        (S.DRAFT, S.SUBMITTED)
    ]


def test_a_move_the_table_does_not_allow_changes_nothing():
    seller = SellerFactory(status=S.DRAFT)

    outcome = _move(seller, S.APPROVED, updates={"rejection_reason": "x"})

    assert outcome is Outcome.NOT_ALLOWED and not outcome
    seller.refresh_from_db()
    assert (seller.status, seller.rejection_reason) == (S.DRAFT, "")
    assert not SellerEvent.objects.exists()


def test_of_two_moves_from_one_status_the_second_loses_and_writes_nothing():
    seller = SellerFactory(status=S.SUBMITTED)
    stale = Seller.objects.get(pk=seller.pk)  # a second worker read the row before the first won

    first = _move(seller, S.APPROVED)
    second = _move(stale, S.REJECTED, updates={"rejection_reason": "late"})

    assert (first, second) == (Outcome.MOVED, Outcome.LOST_RACE)
    seller.refresh_from_db()
    assert (seller.status, seller.rejection_reason) == (S.APPROVED, "")
    assert list(SellerEvent.objects.values_list("to_status", flat=True)) == [S.APPROVED]


def test_an_event_that_fails_undoes_the_move():
    seller = SellerFactory(status=S.DRAFT)

    def failing(old, new):
        raise RuntimeError("event store down")

    with pytest.raises(RuntimeError):
        _move(seller, S.SUBMITTED, event=failing)

    seller.refresh_from_db()
    assert seller.status == S.DRAFT


def test_without_a_table_only_the_compare_and_set_decides():
    seller = SellerFactory(status=S.APPROVED)

    assert _move(seller, S.DRAFT, table=None) is Outcome.MOVED
    assert _move(seller, S.SUBMITTED, source=S.APPROVED, table=None) is Outcome.LOST_RACE
    seller.refresh_from_db()
    assert seller.status == S.DRAFT
    assert SellerEvent.objects.count() == 1

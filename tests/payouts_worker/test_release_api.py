"""payoutRelease through GraphQL (the roles are in tests/authorization/cases.py)."""

import pytest
from graphql_relay import to_global_id

from market.orders.models import OrderPart
from market.payouts.models import PayoutRelease
from tests.factories import StaffFactory
from tests.payouts_worker.helpers import delivered, paid_part

pytestmark = pytest.mark.django_db

RELEASE = """
mutation Release($id: ID!) { payoutRelease(id: $id) { releasedAt errors { field code } } }"""


@pytest.fixture
def payout_manager():
    return StaffFactory(permissions=["payouts.manage_payouts"])


def test_staff_release_a_delivered_part_for_payout(gql_as, payout_manager):
    part = delivered(paid_part(), days_ago=1)

    data = gql_as(payout_manager).execute(
        RELEASE, {"id": to_global_id("OrderPart", part.pk)})["payoutRelease"]

    release = PayoutRelease.objects.get()
    assert data["errors"] == []
    assert (release.order_part, release.released_by) == (part, payout_manager)
    assert data["releasedAt"] == release.released_at.isoformat()


def test_releasing_an_unknown_part_is_refused_and_nothing_changes(gql_as, payout_manager):
    data = gql_as(payout_manager).execute(
        RELEASE, {"id": to_global_id("OrderPart", 999999)})["payoutRelease"]

    assert data == {"releasedAt": None, "errors": [{"field": "id", "code": "NOT_FOUND"}]}
    assert PayoutRelease.objects.count() == 0


def test_releasing_a_cancelled_part_is_refused_and_nothing_changes(gql_as, payout_manager):
    part = paid_part()
    OrderPart.objects.filter(pk=part.pk).update(status="cancelled")

    data = gql_as(payout_manager).execute(
        RELEASE, {"id": to_global_id("OrderPart", part.pk)})["payoutRelease"]

    assert data == {"releasedAt": None, "errors": [{"field": "id", "code": "NOT_RELEASABLE"}]}
    assert PayoutRelease.objects.count() == 0

"""payoutRelease through GraphQL (the roles are in tests/authorization/cases.py)."""

import pytest
from graphql_relay import to_global_id

from market.orders.models import OrderPart
from market.payouts.models import Payout, PayoutRelease
from tests.factories import StaffFactory, paid_part
from tests.payouts.worker.helpers import delivered, verified_bank_account

pytestmark = pytest.mark.django_db

RELEASE = """
mutation Release($id: ID!) { payoutRelease(id: $id) { releasedAt errors { field code } } }"""


@pytest.fixture
def payout_manager():
    return StaffFactory(permissions=["payouts.manage_payouts"])


def test_staff_release_a_delivered_part_for_payout(gql_as, payout_manager):
    part = delivered(paid_part(), days_ago=1)

    data = gql_as(payout_manager).execute(RELEASE, {"id": to_global_id("OrderPart", part.pk)})[
        "payoutRelease"
    ]

    release = PayoutRelease.objects.get()
    assert data["errors"] == []
    assert (release.order_part, release.released_by) == (part, payout_manager)
    assert data["releasedAt"] == release.released_at.isoformat()


def test_releasing_a_part_creates_its_payout_and_queues_it_for_the_worker(
    gql_as, payout_manager, enqueued, django_capture_on_commit_callbacks
):
    part = delivered(paid_part(), days_ago=1)
    verified_bank_account(part.seller)

    with django_capture_on_commit_callbacks(execute=True):
        data = gql_as(payout_manager).execute(
            """mutation($id: ID!) { payoutRelease(id: $id) {
                 payout { id status amount { amount currency } } errors { code } } }""",
            {"id": to_global_id("OrderPart", part.pk)},
        )["payoutRelease"]

    payout = Payout.objects.get(order_part=part)
    assert data == {
        "payout": {
            "id": to_global_id("Payout", payout.pk),
            "status": "PENDING",
            "amount": {"amount": "200.00", "currency": "AZN"},
        },
        "errors": [],
    }
    assert enqueued == [("payouts.execute", {"payout_id": payout.pk})]


def test_releasing_an_unknown_part_is_refused_and_nothing_changes(gql_as, payout_manager):
    data = gql_as(payout_manager).execute(RELEASE, {"id": to_global_id("OrderPart", 999999)})[
        "payoutRelease"
    ]

    assert data == {"releasedAt": None, "errors": [{"field": "id", "code": "NOT_FOUND"}]}
    assert PayoutRelease.objects.count() == 0


def test_releasing_a_cancelled_part_is_refused_and_nothing_changes(gql_as, payout_manager):
    part = paid_part()
    OrderPart.objects.filter(pk=part.pk).update(status="cancelled")

    data = gql_as(payout_manager).execute(RELEASE, {"id": to_global_id("OrderPart", part.pk)})[
        "payoutRelease"
    ]

    assert data == {"releasedAt": None, "errors": [{"field": "id", "code": "NOT_RELEASABLE"}]}
    assert PayoutRelease.objects.count() == 0

"""payouts: every payout, for staff holding payouts.manage_payouts only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SellerFactory, StaffFactory, UserFactory, paid_part
from tests.payouts.api.helpers import (
    gid,
    paid_bank_payout,
    pending_bank_payout,
    staff_payouts,
)

pytestmark = pytest.mark.django_db


def _ids(connection_data) -> list[str]:
    return [edge["node"]["id"] for edge in connection_data["edges"]]


@pytest.fixture
def two_sellers_payouts():
    """Seller A: one paid payout and one pending; seller B: one pending. Oldest first."""
    a_paid = paid_bank_payout()
    a_pending = pending_bank_payout(paid_part(seller=a_paid.seller))
    b_pending = pending_bank_payout()
    return a_paid, a_pending, b_pending


def test_staff_see_every_sellers_payouts_newest_first(gql_as, payout_manager, two_sellers_payouts):
    a_paid, a_pending, b_pending = two_sellers_payouts

    data = gql_as(payout_manager).execute(staff_payouts())["payouts"]

    assert (data["totalCount"], _ids(data)) == (3, [gid(b_pending), gid(a_pending), gid(a_paid)])
    assert [edge["node"]["seller"]["id"] for edge in data["edges"]] == [
        gid(b_pending.seller),
        gid(a_paid.seller),
        gid(a_paid.seller),
    ]


def test_staff_filter_payouts_by_status(gql_as, payout_manager, two_sellers_payouts):
    a_paid, a_pending, b_pending = two_sellers_payouts
    client = gql_as(payout_manager)

    pending = client.execute(staff_payouts(), {"status": "PENDING"})["payouts"]
    paid = client.execute(staff_payouts(), {"status": "PAID"})["payouts"]

    assert (pending["totalCount"], _ids(pending)) == (2, [gid(b_pending), gid(a_pending)])
    assert (paid["totalCount"], _ids(paid)) == (1, [gid(a_paid)])


def test_staff_filter_payouts_by_seller(gql_as, payout_manager, two_sellers_payouts):
    a_paid, a_pending, b_pending = two_sellers_payouts
    client = gql_as(payout_manager)

    of_a = client.execute(staff_payouts(), {"sellerId": gid(a_paid.seller)})["payouts"]
    of_b = client.execute(staff_payouts(), {"sellerId": gid(b_pending.seller)})["payouts"]

    assert _ids(of_a) == [gid(a_pending), gid(a_paid)]
    assert _ids(of_b) == [gid(b_pending)]


def test_staff_filter_payouts_by_seller_and_status(gql_as, payout_manager, two_sellers_payouts):
    a_paid, a_pending, b_pending = two_sellers_payouts

    data = gql_as(payout_manager).execute(
        staff_payouts(), {"sellerId": gid(a_paid.seller), "status": "PAID"}
    )["payouts"]

    assert _ids(data) == [gid(a_paid)]


def test_a_seller_without_payouts_filters_to_an_empty_list(
    gql_as, payout_manager, two_sellers_payouts
):
    data = gql_as(payout_manager).execute(staff_payouts(), {"sellerId": gid(SellerFactory())})[
        "payouts"
    ]

    assert (data["totalCount"], data["edges"]) == (0, [])


def test_a_seller_id_that_is_not_a_seller_is_refused(gql_as, payout_manager, two_sellers_payouts):
    a_paid, _, _ = two_sellers_payouts

    errors = gql_as(payout_manager).errors(staff_payouts(), {"sellerId": gid(a_paid)})

    assert (errors[0]["extensions"]["code"], errors[0]["extensions"]["field"]) == (
        "invalid_argument",
        "sellerId",
    )


def test_signing_in_is_needed_to_list_payouts(gql, two_sellers_payouts):
    errors = gql.errors(staff_payouts())

    assert errors[0]["extensions"]["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "who", ["buyer", "seller", "staff without the permission", "non-staff with the permission"]
)
def test_only_staff_with_manage_payouts_list_payouts(gql_as, two_sellers_payouts, who):
    a_paid, _, _ = two_sellers_payouts
    user = {
        "buyer": lambda: UserFactory(),
        "seller": lambda: a_paid.seller.user,
        "staff without the permission": lambda: StaffFactory(
            permissions=["orders.manage_orders", "sellers.manage_sellers"]
        ),
        "non-staff with the permission": lambda: StaffFactory(
            is_staff=False, permissions=["payouts.manage_payouts"]
        ),
    }[who]()

    response = gql_as(user).post(staff_payouts())

    body = response.json()
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["permission_denied"]


def _count(client, query, first) -> int:
    with CaptureQueriesContext(connection) as queries:
        data = client.execute(query, {"first": first})["payouts"]
    assert len(data["edges"]) == first
    return len(queries)


def test_staff_payouts_take_a_fixed_number_of_queries(gql_as, payout_manager):
    # given five payouts of three sellers, two of them paid in bank files
    first = paid_bank_payout()
    pending_bank_payout(paid_part(seller=first.seller))
    paid_bank_payout()
    pending_bank_payout()
    pending_bank_payout()
    client = gql_as(payout_manager)

    small, large = _count(client, staff_payouts(), 1), _count(client, staff_payouts(), 5)

    # auth (token user + its permissions and its groups' permissions) + page + the count
    assert small == large == 5

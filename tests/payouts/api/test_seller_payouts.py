"""sellerPayouts: the signed-in seller's own payouts, newest first, and nobody else's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from market.payouts.models import Payout
from market.payouts.paying import payout_execute, payouts_create_due
from tests.factories import SellerFactory, UserFactory, paid_part
from tests.payouts.api.helpers import (
    gid,
    paid_bank_payout,
    pending_bank_payout,
    seller_payouts,
)
from tests.payouts.worker.helpers import delivered, ready_stripe_account

pytestmark = pytest.mark.django_db


def _ids(connection_data) -> list[str]:
    return [edge["node"]["id"] for edge in connection_data["edges"]]


def test_a_seller_sees_only_their_own_payouts(gql_as):
    # given seller A with two payouts and seller B with one
    a_first = pending_bank_payout()
    a_second = pending_bank_payout(paid_part(seller=a_first.seller))
    b_only = pending_bank_payout()

    as_a = gql_as(a_first.seller.user).execute(seller_payouts())["sellerPayouts"]
    as_b = gql_as(b_only.seller.user).execute(seller_payouts())["sellerPayouts"]

    assert (as_a["totalCount"], _ids(as_a)) == (2, [gid(a_second), gid(a_first)])
    assert (as_b["totalCount"], _ids(as_b)) == (1, [gid(b_only)])


def test_a_seller_with_no_payouts_sees_an_empty_list_even_when_others_have_some(gql_as):
    pending_bank_payout()
    newcomer = SellerFactory(user=UserFactory())

    data = gql_as(newcomer.user).execute(seller_payouts())["sellerPayouts"]

    assert (data["totalCount"], data["edges"]) == (0, [])


def test_a_bank_payout_in_a_bank_file_shows_what_it_pays_for(gql_as):
    payout = paid_bank_payout()
    part = payout.order_part

    (edge,) = gql_as(payout.seller.user).execute(seller_payouts())["sellerPayouts"]["edges"]

    assert edge["node"] == {
        "id": gid(payout),
        "status": "PAID",
        "amount": {"amount": "200.00", "currency": "AZN"},
        "route": "BANK_TRANSFER",
        "orderNumber": part.order.number,
        "orderPartId": gid(part),
        "transfer": None,
        "createdAt": payout.created_at.isoformat(),
        "paidAt": payout.paid_at.isoformat(),
        "lastError": None,
        "bankBatchDate": payout.bank_batch.date.isoformat(),
        "seller": {"id": gid(payout.seller), "name": payout.seller.name},
    }


def test_a_bank_payout_approved_but_not_yet_in_a_file_has_no_batch_date(gql_as):
    payout = pending_bank_payout()
    payout_execute(payout_id=payout.pk)

    (edge,) = gql_as(payout.seller.user).execute(seller_payouts())["sellerPayouts"]["edges"]

    assert (edge["node"]["status"], edge["node"]["bankBatchDate"], edge["node"]["paidAt"]) == (
        "PROCESSING",
        None,
        None,
    )


def test_a_stripe_payout_shows_the_transfer_in_the_order_currency(gql_as, stripe_server):
    # given 200.00 AZN owed for an order paid in EUR at 1 EUR = 2 AZN
    part = delivered(paid_part(country="DE"), days_ago=15)
    ready_stripe_account(part.seller, stripe_server)
    payouts_create_due()
    payout_execute(payout_id=Payout.objects.get().pk)

    (edge,) = gql_as(part.seller.user).execute(seller_payouts())["sellerPayouts"]["edges"]

    node = edge["node"]
    assert (node["status"], node["route"], node["amount"], node["transfer"]) == (
        "PAID",
        "STRIPE_CONNECT",
        {"amount": "200.00", "currency": "AZN"},
        {"amount": "100.00", "currency": "EUR", "conversion": {"rate": "2.0000000000"}},
    )
    assert node["bankBatchDate"] is None


def test_a_failed_payout_says_why_without_stripe_request_ids(gql_as, stripe_server):
    # given Stripe refuses the transfer: the connected account is gone
    part = delivered(paid_part(country="DE"), days_ago=15)
    ready_stripe_account(part.seller, stripe_server)
    payouts_create_due()
    stripe_server.accounts.clear()
    payout_execute(payout_id=Payout.objects.get().pk)
    assert Payout.objects.get().last_error.startswith("Request req_")

    (edge,) = gql_as(part.seller.user).execute(seller_payouts())["sellerPayouts"]["edges"]

    assert edge["node"]["status"] == "FAILED"
    assert "No such account" in edge["node"]["lastError"]
    assert "req_" not in edge["node"]["lastError"]


def test_the_error_of_an_attempt_that_will_be_retried_is_not_shown(gql_as):
    # given a payout back to pending after a Stripe outage, its last error kept
    payout = pending_bank_payout()
    Payout.objects.filter(pk=payout.pk).update(last_error="Request req_1: Stripe is down.")

    (edge,) = gql_as(payout.seller.user).execute(seller_payouts())["sellerPayouts"]["edges"]

    assert (edge["node"]["status"], edge["node"]["lastError"]) == ("PENDING", None)


def test_sellers_filter_their_payouts_by_status(gql_as):
    paid = paid_bank_payout()
    pending = pending_bank_payout(paid_part(seller=paid.seller))
    client = gql_as(paid.seller.user)

    only_paid = client.execute(seller_payouts(), {"status": "PAID"})["sellerPayouts"]
    only_pending = client.execute(seller_payouts(), {"status": "PENDING"})["sellerPayouts"]
    only_failed = client.execute(seller_payouts(), {"status": "FAILED"})["sellerPayouts"]

    assert (_ids(only_paid), _ids(only_pending), _ids(only_failed)) == (
        [gid(paid)],
        [gid(pending)],
        [],
    )


def test_sellers_page_through_their_payouts_newest_first(gql_as):
    payouts = [pending_bank_payout()]
    for _ in range(2):
        payouts.append(pending_bank_payout(paid_part(seller=payouts[0].seller)))
    client = gql_as(payouts[0].seller.user)

    first = client.execute(seller_payouts(), {"first": 2})["sellerPayouts"]
    rest = client.execute(seller_payouts(), {"first": 2, "after": first["pageInfo"]["endCursor"]})[
        "sellerPayouts"
    ]

    assert (_ids(first), first["pageInfo"]["hasNextPage"]) == (
        [gid(payouts[2]), gid(payouts[1])],
        True,
    )
    assert (_ids(rest), rest["pageInfo"]["hasNextPage"]) == ([gid(payouts[0])], False)


def test_a_cursor_of_another_list_is_refused(gql_as, payout_manager):
    payout = pending_bank_payout()
    staff_cursor = "cGF5b3V0OjA="  # "payout:0", a cursor of the staff list

    errors = gql_as(payout.seller.user).errors(seller_payouts(), {"after": staff_cursor})

    assert (errors[0]["extensions"]["code"], errors[0]["extensions"]["field"]) == (
        "invalid_cursor",
        "after",
    )


def test_signing_in_is_needed_to_see_payouts(gql):
    pending_bank_payout()

    errors = gql.errors(seller_payouts())

    assert errors[0]["extensions"]["code"] == "unauthenticated"


def test_someone_without_a_shop_has_no_payouts_to_see(gql_as):
    pending_bank_payout()

    errors = gql_as(UserFactory()).errors(seller_payouts())

    assert errors[0]["extensions"]["code"] == "permission_denied"


def _count(client, query, first) -> int:
    with CaptureQueriesContext(connection) as queries:
        data = client.execute(query, {"first": first})["sellerPayouts"]
    assert len(data["edges"]) == first
    return len(queries)


def test_seller_payouts_take_a_fixed_number_of_queries(gql_as):
    # given five payouts of one seller: two paid in bank files, three pending
    payouts = [paid_bank_payout()]
    seller = payouts[0].seller
    for index in range(4):
        (paid_bank_payout if index % 3 == 0 else pending_bank_payout)(paid_part(seller=seller))
    client = gql_as(seller.user)

    small, large = _count(client, seller_payouts(), 1), _count(client, seller_payouts(), 5)
    without_total = _count(client, seller_payouts(total=False), 5)

    # auth (token user + seller) + page + the count
    assert small == large == 4
    assert without_total == 3

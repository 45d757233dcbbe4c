"""orderPartRefund over GraphQL: who may refund (staff with orders.manage_orders any time,
the part's seller before shipment), the payload, and refusals that change nothing."""

import pytest
from graphql_relay import to_global_id

from market.orders.fulfilment import part_ship
from market.payments.models import Refund
from tests.factories import SellerFactory, StaffFactory, UserFactory, card_paid_part
from tests.payments.refunds.helpers import REFUND, everything, order_manager
from tests.tasks import worker_inline

pytestmark = pytest.mark.django_db


def variables(part, **extra):
    return {
        "partId": to_global_id("OrderPart", part.pk),
        "reason": "Arrived broken",
        "idempotencyKey": "api-1",
        **extra,
    }


def ask(client, part, **extra):
    return client.execute(REFUND, variables(part, **extra))["orderPartRefund"]


def test_staff_with_the_permission_refund_part_of_a_part(gql_as):
    part = card_paid_part()

    result = ask(gql_as(order_manager()), part, amount="12.50")

    assert result["errors"] == []
    assert (result["refund"]["status"], result["refund"]["amount"]) == (
        "PENDING",
        {"amount": "12.50", "currency": "EUR"},
    )


def test_the_refund_answered_pending_succeeds_once_a_worker_sent_it(gql_as):
    part = card_paid_part()
    staff = gql_as(order_manager())

    with worker_inline():
        result = ask(staff, part, amount="12.50")

    assert result["refund"]["status"] == "PENDING"
    assert Refund.objects.values_list("status", flat=True).get() == "succeeded"
    again = ask(staff, part, amount="12.50")
    assert (again["refund"]["id"], again["refund"]["status"]) == (
        result["refund"]["id"],
        "SUCCEEDED",
    )


def test_the_owner_seller_refunds_everything_left_before_shipment(gql_as):
    part = card_paid_part()

    result = ask(gql_as(part.seller.user), part)

    assert result["refund"]["amount"] == {"amount": "60.00", "currency": "EUR"}


def test_the_owner_seller_may_not_refund_after_shipment_and_nothing_changes(gql_as):
    part = card_paid_part()
    part_ship(part=part, actor=None, carrier_code="manual", tracking_number="RR123456789AZ")
    seller = gql_as(part.seller.user)
    before = everything()

    result = ask(seller, part)

    assert result["refund"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("partId", "ALREADY_SHIPPED")]
    assert everything() == before


def test_staff_refund_a_shipped_part(gql_as):
    part = card_paid_part()
    part_ship(part=part, actor=None, carrier_code="manual", tracking_number="RR123456789AZ")

    result = ask(gql_as(order_manager()), part)

    assert (result["errors"], result["refund"]["status"]) == ([], "PENDING")


def test_an_over_refund_answers_refund_exceeds_paid_and_changes_nothing(gql_as):
    part = card_paid_part()
    staff = gql_as(order_manager())
    before = everything()

    result = ask(staff, part, amount="60.01")

    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        ("amount", "REFUND_EXCEEDS_PAID")
    ]
    assert everything() == before


@pytest.mark.parametrize("role", ["buyer", "staff"])
def test_a_user_without_a_shop_or_the_permission_is_refused_and_nothing_changes(gql_as, role):
    part = card_paid_part()
    client = gql_as(UserFactory() if role == "buyer" else StaffFactory())
    before = everything()

    [error] = client.errors(REFUND, variables(part))

    assert error["extensions"]["code"] == "permission_denied"
    assert everything() == before


def test_anonymous_is_refused_and_nothing_changes(gql_as):
    part = card_paid_part()
    before = everything()

    [error] = gql_as(None).errors(REFUND, variables(part))

    assert error["extensions"]["code"] == "unauthenticated"
    assert everything() == before


def test_another_sellers_part_answers_like_a_missing_one_and_nothing_changes(gql_as):
    part = card_paid_part()
    other = gql_as(SellerFactory(user=UserFactory()).user)
    before = everything()

    result = ask(other, part)

    assert [(e["field"], e["code"]) for e in result["errors"]] == [("partId", "NOT_FOUND")]
    assert everything() == before

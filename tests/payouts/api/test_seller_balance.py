"""sellerBalance: what the platform owes the signed-in seller, from the ledger, and where it
stands (held, pending payout, failed payout, adjustments)."""

from decimal import Decimal

import pytest

from market.ledger.models import Account, EntryKind, LedgerEntry
from market.ledger.selectors import seller_balance
from market.payouts.models import Payout, PayoutAccount
from market.payouts.paying import payout_execute, payout_release, payouts_create_due
from tests.factories import SellerFactory, StaffFactory, UserFactory, card_paid_part, paid_part
from tests.payments.refunds.helpers import refund_made
from tests.payouts.api.helpers import (
    SELLER_BALANCE,
    paid_bank_payout,
    pending_bank_payout,
)
from tests.payouts.worker.helpers import delivered, verified_bank_account

pytestmark = pytest.mark.django_db


def figures(gql_as, seller) -> dict:
    """The balance as the seller sees it, as {field: Decimal}, checked to add up."""
    data = gql_as(seller.user).execute(SELLER_BALANCE)["sellerBalance"]
    assert data["balance"]["currency"] == "AZN"
    assert data["holdDays"] == 14
    result = {
        name: Decimal(data[name]["amount"])
        for name in ("balance", "held", "pendingPayout", "failedPayout", "adjustments")
    }
    assert result["balance"] == sum(
        (value for name, value in result.items() if name != "balance"), Decimal(0)
    )
    return result


def expect(balance="0.00", held="0.00", pending="0.00", failed="0.00", adjustments="0.00"):
    return {
        "balance": Decimal(balance),
        "held": Decimal(held),
        "pendingPayout": Decimal(pending),
        "failedPayout": Decimal(failed),
        "adjustments": Decimal(adjustments),
    }


def refund(part, amount: str, key: str):
    staff = StaffFactory(permissions=["orders.manage_orders"])
    return refund_made(
        part=part,
        amount=Decimal(amount),
        reason="Arrived broken",
        idempotency_key=key,
        actor=staff,
        by_order_manager=True,
    )


def test_a_sale_not_yet_delivered_is_held(gql_as):
    # given 90.00 AZN of goods and 20.00 shipping owed to the seller for a part paid by card
    part = card_paid_part()

    assert figures(gql_as, part.seller) == expect(balance="110.00", held="110.00")
    assert seller_balance(seller=part.seller) == Decimal("110.00")


def test_a_part_delivered_within_the_hold_period_is_held(gql_as):
    part = delivered(card_paid_part(), days_ago=13)

    assert figures(gql_as, part.seller) == expect(balance="110.00", held="110.00")


def test_a_part_past_its_hold_period_is_pending_payout_while_the_route_is_not_ready(gql_as):
    # given no payout account: payouts_create_due skips the part for now
    part = delivered(card_paid_part(), days_ago=15)
    payouts_create_due()
    assert not Payout.objects.exists()

    assert figures(gql_as, part.seller) == expect(balance="110.00", pending="110.00")


def test_a_part_released_by_staff_is_pending_payout_before_its_hold_ends(gql_as):
    part = delivered(card_paid_part(), days_ago=1)
    payout_release(part_id=part.pk, actor=StaffFactory(permissions=["payouts.manage_payouts"]))

    assert figures(gql_as, part.seller) == expect(balance="110.00", pending="110.00")


def test_a_payout_on_its_way_is_pending_payout(gql_as):
    payout = pending_bank_payout()
    payout_execute(payout_id=payout.pk)  # approved for the next bank file

    assert figures(gql_as, payout.seller) == expect(balance="200.00", pending="200.00")


def test_a_paid_payout_leaves_nothing_owed(gql_as):
    payout = paid_bank_payout()

    assert figures(gql_as, payout.seller) == expect()
    assert seller_balance(seller=payout.seller) == Decimal("0.00")


def test_a_failed_payout_is_owed_and_shown_apart(gql_as):
    # given staff withdrew the bank account's verification before the payout ran
    payout = pending_bank_payout()
    PayoutAccount.objects.filter(seller=payout.seller).update(bank_verified_at=None)
    payout_execute(payout_id=payout.pk)
    assert Payout.objects.get().status == "failed"

    assert figures(gql_as, payout.seller) == expect(balance="200.00", failed="200.00")


def test_a_refund_before_the_payout_reduces_what_is_held(gql_as):
    # given 30.00 of the 60.00 EUR refunded: the seller gives back 27.50 EUR = 55.00 AZN
    part = card_paid_part()
    refund(part, "30.00", key="refund-1")

    assert figures(gql_as, part.seller) == expect(balance="55.00", held="55.00")
    assert seller_balance(seller=part.seller) == Decimal("55.00")


def test_a_refund_after_a_bank_payout_is_owed_by_the_seller_and_netted_from_the_next(gql_as):
    # given a part paid out by bank (110.00 AZN), then 30.00 EUR refunded (55.00 AZN)
    first = delivered(card_paid_part(), days_ago=20)
    verified_bank_account(first.seller)
    paid_bank_payout(first)
    refund(first, "30.00", key="refund-1")
    assert figures(gql_as, first.seller) == expect(balance="-55.00", adjustments="-55.00")

    # when the seller's next part (200.00 AZN) is past its hold period
    second = delivered(paid_part(seller=first.seller), days_ago=20)
    assert figures(gql_as, first.seller) == expect(
        balance="145.00", pending="200.00", adjustments="-55.00"
    )

    # then its payout pays what is owed net of the debt, and nothing is owed after it
    payout = paid_bank_payout(second)
    assert payout.amount == Decimal("145.00")
    assert figures(gql_as, first.seller) == expect()
    assert seller_balance(seller=first.seller) == Decimal("0.00")


def test_a_seller_sees_only_their_own_balance(gql_as):
    mine = card_paid_part()
    card_paid_part()  # another seller's sale
    paid_bank_payout()  # and another seller's payout

    assert figures(gql_as, mine.seller) == expect(balance="110.00", held="110.00")


def test_a_seller_with_nothing_sold_is_owed_nothing(gql_as):
    card_paid_part()

    assert figures(gql_as, SellerFactory(user=UserFactory())) == expect()


def test_an_entry_of_no_order_part_counts_in_the_balance_only(gql_as):
    # given a correction written to the seller's account outside any order
    part = card_paid_part()
    LedgerEntry.objects.create(
        account=Account.SELLER,
        seller=part.seller,
        kind=EntryKind.TRANSFER,
        amount=Decimal("-10.00"),
        currency="AZN",
        key="correction-1",
    )

    assert figures(gql_as, part.seller) == expect(
        balance="100.00", held="110.00", adjustments="-10.00"
    )


def test_signing_in_is_needed_to_see_the_balance(gql):
    errors = gql.errors(SELLER_BALANCE)

    assert errors[0]["extensions"]["code"] == "unauthenticated"


def test_someone_without_a_shop_has_no_balance(gql_as):
    errors = gql_as(UserFactory()).errors(SELLER_BALANCE)

    assert errors[0]["extensions"]["code"] == "permission_denied"


def test_the_balance_takes_a_fixed_number_of_queries(gql_as, django_assert_max_num_queries):
    first = paid_bank_payout()
    for _ in range(3):
        delivered(paid_part(seller=first.seller), days_ago=3)
    client = gql_as(first.seller.user)

    # auth (token user + seller) + one sum over the ledger, however many parts were sold
    with django_assert_max_num_queries(3):
        data = client.execute(SELLER_BALANCE)["sellerBalance"]
    assert data["held"]["amount"] == "600.00"

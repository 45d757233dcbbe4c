"""Which order parts become payouts, and for how much."""

from decimal import Decimal

import pytest

from market.core.errors import DomainError
from market.payouts.models import Payout, PayoutRelease
from market.payouts.paying import payout_release, payouts_create_due
from tests.factories import StaffFactory, paid_part
from tests.payouts.worker.helpers import delivered, verified_bank_account

pytestmark = pytest.mark.django_db


def test_a_part_delivered_more_than_the_hold_period_ago_gets_a_payout_of_what_it_is_owed(
    enqueued, django_capture_on_commit_callbacks
):
    # given a part (200.00 AZN of goods, 20.00 shipping, 10 % commission) delivered 15 days ago
    part = delivered(paid_part(), days_ago=15)
    verified_bank_account(part.seller)

    with django_capture_on_commit_callbacks(execute=True):
        due = payouts_create_due()

    payout = Payout.objects.get()
    assert due.created == [payout]
    assert (
        payout.seller,
        payout.order_part,
        payout.amount,
        payout.currency,
        payout.route,
        payout.status,
    ) == (part.seller, part, Decimal("200.00"), "AZN", "bank_transfer", "pending")
    assert list(payout.events.values_list("to_status", flat=True)) == ["pending"]
    assert enqueued == [("payouts.execute", {"payout_id": payout.pk})]


def test_a_part_still_inside_its_hold_period_gets_no_payout(
    enqueued, django_capture_on_commit_callbacks
):
    part = delivered(paid_part(), days_ago=13)
    verified_bank_account(part.seller)

    with django_capture_on_commit_callbacks(execute=True):
        due = payouts_create_due()

    assert (due.created, Payout.objects.count(), enqueued) == ([], 0, [])


def test_a_seller_without_a_verified_route_gets_no_payout(
    enqueued, django_capture_on_commit_callbacks
):
    # given bank details that staff have not verified
    part = delivered(paid_part(), days_ago=30)
    account = verified_bank_account(part.seller)
    account.bank_verified_at = None
    account.save()

    with django_capture_on_commit_callbacks(execute=True):
        due = payouts_create_due()

    assert due.skipped == {part.pk: "no verified route"}
    assert (Payout.objects.count(), enqueued) == (0, [])


def test_a_seller_without_any_payout_account_gets_no_payout(enqueued):
    part = delivered(paid_part(), days_ago=30)

    due = payouts_create_due()

    assert due.skipped == {part.pk: "no verified route"}
    assert Payout.objects.count() == 0


def test_creating_due_payouts_again_creates_no_second_payout(enqueued):
    part = delivered(paid_part(), days_ago=15)
    verified_bank_account(part.seller)
    payouts_create_due()

    again = payouts_create_due()

    assert again.created == []
    assert Payout.objects.filter(order_part=part).count() == 1


def test_a_part_released_by_staff_is_paid_out_at_once_and_queued_when_it_commits(
    enqueued, django_capture_on_commit_callbacks
):
    part = delivered(paid_part(), days_ago=1)
    verified_bank_account(part.seller)
    staff = StaffFactory(permissions=["payouts.manage_payouts"])

    with django_capture_on_commit_callbacks(execute=True):
        released = payout_release(part_id=part.pk, actor=staff)

    payout = Payout.objects.get()
    assert released.payout == payout
    assert (payout.released_by, payout.amount, payout.status) == (
        staff,
        Decimal("200.00"),
        "pending",
    )
    assert payout.released_at == released.release.released_at
    assert enqueued == [("payouts.execute", {"payout_id": payout.pk})]
    assert payouts_create_due().created == []


def test_releasing_a_part_twice_keeps_its_one_payout_and_queues_it_once(
    enqueued, django_capture_on_commit_callbacks
):
    part = delivered(paid_part(), days_ago=1)
    verified_bank_account(part.seller)
    staff = StaffFactory(permissions=["payouts.manage_payouts"])
    with django_capture_on_commit_callbacks(execute=True):
        first = payout_release(part_id=part.pk, actor=staff)

    with django_capture_on_commit_callbacks(execute=True):
        again = payout_release(part_id=part.pk, actor=staff)

    assert again.payout == first.payout == Payout.objects.get()
    assert again.release == first.release
    assert len(enqueued) == 1


def test_a_part_released_before_the_sellers_route_is_ready_is_paid_by_the_daily_run(
    enqueued, django_capture_on_commit_callbacks
):
    part = delivered(paid_part(), days_ago=1)
    staff = StaffFactory(permissions=["payouts.manage_payouts"])
    with django_capture_on_commit_callbacks(execute=True):
        released = payout_release(part_id=part.pk, actor=staff)
    assert (released.payout, released.skipped, enqueued) == (None, "no verified route", [])
    assert Payout.objects.count() == 0
    verified_bank_account(part.seller)

    due = payouts_create_due()

    payout = Payout.objects.get()
    assert due.created == [payout]
    assert (payout.released_by, payout.amount) == (staff, Decimal("200.00"))


def test_an_unpaid_part_cannot_be_released():
    from market.orders.models import OrderPart

    part = paid_part()
    OrderPart.objects.filter(pk=part.pk).update(status="cancelled")

    with pytest.raises(DomainError) as refused:
        payout_release(part_id=part.pk, actor=StaffFactory(permissions=["payouts.manage_payouts"]))

    assert refused.value.code == "not_releasable"
    assert PayoutRelease.objects.count() == 0


def _seller_debt(seller, amount: str) -> None:
    """What a refund after a bank payout (which cannot be reversed) leaves behind."""
    from market.ledger.models import LedgerEntry

    LedgerEntry.objects.create(
        account="seller",
        seller=seller,
        kind="refund",
        amount=Decimal(amount),
        currency="AZN",
        key=f"debt-{seller.pk}",
    )


def test_a_sellers_debt_from_an_earlier_refund_is_netted_from_the_next_payout(enqueued):
    part = delivered(paid_part(), days_ago=15)
    verified_bank_account(part.seller)
    _seller_debt(part.seller, "-50.00")

    payouts_create_due()

    assert Payout.objects.get().amount == Decimal("150.00")


def test_a_seller_who_owes_more_than_the_part_gets_no_payout_yet(enqueued):
    part = delivered(paid_part(), days_ago=15)
    verified_bank_account(part.seller)
    _seller_debt(part.seller, "-250.00")

    due = payouts_create_due()

    assert not Payout.objects.exists()
    assert due.skipped == {part.pk: "nothing owed"}


def test_a_refund_between_creation_and_payment_lowers_the_payout(
    enqueued, django_capture_on_commit_callbacks
):
    from market.payouts.paying import payout_execute

    part = delivered(paid_part(), days_ago=15)
    verified_bank_account(part.seller)
    payouts_create_due()
    _seller_debt(part.seller, "-80.00")

    payout_execute(payout_id=Payout.objects.get().pk)

    assert Payout.objects.get().amount == Decimal("120.00")

"""ledger_record_payout: a payout is a negative entry on the seller's account, once."""

from decimal import Decimal as D

import pytest

from market.core.errors import DomainError
from market.ledger.models import LedgerEntry
from market.ledger.selectors import part_payable, seller_balance
from market.ledger.services import ledger_record_order_paid, ledger_record_payout
from tests.factories import CategoryFactory, PayoutFactory, SellerFactory
from tests.ledger.helpers import LineSpec, PartSpec, paid_order

pytestmark = pytest.mark.django_db


def recorded_part():
    """A recorded AZN order: seller's share 90.00 + shipping 5.00 = 95.00 AZN."""
    order = paid_order(
        currency="AZN",
        rate=D("1"),
        parts=[PartSpec(lines=[LineSpec(CategoryFactory(), 1, D("100.00"))], shipping=D("5.00"))],
    )
    ledger_record_order_paid(order=order)
    return order.parts.get()


def payout_for(part, amount=D("95.00")):
    return PayoutFactory(order_part=part, amount=amount)


def test_a_payout_is_a_negative_entry_that_brings_the_balance_down():
    part = recorded_part()
    payout = payout_for(part)

    entry = ledger_record_payout(
        payout_id=payout.pk, seller=part.seller, amount=D("95.00"), currency="AZN", part=part
    )

    assert (entry.kind, entry.amount, entry.currency, entry.key) == (
        "payout",
        D("-95.00"),
        "AZN",
        f"payout:{payout.pk}",
    )
    assert seller_balance(seller=part.seller) == D("0.00")
    assert part_payable(part=part) == D("95.00")


def test_a_payout_given_as_the_payout_row_links_it():
    part = recorded_part()
    payout = payout_for(part)

    entry = ledger_record_payout(payout=payout)

    assert (entry.payout_id, entry.order_part_id, entry.order_id, entry.amount) == (
        payout.pk,
        part.pk,
        part.order_id,
        D("-95.00"),
    )


def test_recording_the_same_payout_twice_adds_nothing():
    part = recorded_part()
    payout = payout_for(part)
    first = ledger_record_payout(
        payout_id=payout.pk, seller=part.seller, amount=D("95.00"), currency="AZN", part=part
    )

    second = ledger_record_payout(
        payout_id=payout.pk, seller=part.seller, amount=D("95.00"), currency="AZN", part=part
    )

    assert second.pk == first.pk
    assert LedgerEntry.objects.filter(kind="payout").count() == 1


def test_the_same_payout_id_with_another_amount_is_refused():
    part = recorded_part()
    payout = payout_for(part)
    ledger_record_payout(
        payout_id=payout.pk, seller=part.seller, amount=D("95.00"), currency="AZN", part=part
    )

    with pytest.raises(DomainError) as refused:
        ledger_record_payout(
            payout_id=payout.pk, seller=part.seller, amount=D("90.00"), currency="AZN", part=part
        )

    assert refused.value.code == "payout_mismatch"
    assert LedgerEntry.objects.filter(kind="payout").count() == 1


@pytest.mark.parametrize(
    ("amount", "currency", "code"),
    [
        (D("0.00"), "AZN", "invalid_amount"),
        (D("-1.00"), "AZN", "invalid_amount"),
        (D("1.005"), "AZN", "invalid_amount"),
        (D("10.00"), "EUR", "currency_mismatch"),
    ],
)
def test_a_payout_with_a_bad_amount_or_currency_is_refused_and_nothing_is_written(
    amount, currency, code
):
    part = recorded_part()

    with pytest.raises(DomainError) as refused:
        ledger_record_payout(
            payout_id=payout_for(part).pk,
            seller=part.seller,
            amount=amount,
            currency=currency,
            part=part,
        )

    assert refused.value.code == code
    assert LedgerEntry.objects.filter(kind="payout").count() == 0


def test_a_payout_for_another_sellers_part_is_refused():
    part = recorded_part()

    with pytest.raises(DomainError) as refused:
        ledger_record_payout(
            payout_id=payout_for(part).pk,
            seller=SellerFactory(),
            amount=D("95.00"),
            currency="AZN",
            part=part,
        )

    assert refused.value.code == "invalid"
    assert LedgerEntry.objects.filter(kind="payout").count() == 0

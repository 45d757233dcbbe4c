"""Refunds of a seller's part with the dummy gateway: exact amounts, the ledger, the part's
status, idempotency, and refusals that change nothing."""

from decimal import Decimal

import pytest

from market.core.errors import DomainError
from market.payments.gateways import DummyGateway
from market.payments.models import Refund
from tests.factories import card_paid_part
from tests.payments.helpers import unpaid_order
from tests.payments.refunds.helpers import (
    balances,
    everything,
    order_manager,
    order_status,
    refund_entries,
    refund_made,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _manager(db):
    # Made before any snapshot, so that a refusal's "nothing changed" compares like with like.
    order_manager()


def refund(part, amount=None, key="r-1", reason="Arrived broken", actor=None):
    return refund_made(
        part=part,
        amount=None if amount is None else Decimal(amount),
        reason=reason,
        idempotency_key=key,
        actor=actor if actor is not None else order_manager(),
        by_order_manager=actor is None,
    )


def refused(code, **kwargs):
    with pytest.raises(DomainError) as error:
        refund(**kwargs)
    assert error.value.code == code
    return error.value


def test_a_partial_refund_is_split_between_seller_and_platform_to_the_minor_unit():
    part = card_paid_part()

    made = refund(part, "30.00")

    assert (made.status, made.amount, made.currency) == ("succeeded", Decimal("30.00"), "EUR")
    # Seller was credited 55.00 EUR (goods share + shipping), the platform 5.00: 11 to 1.
    assert refund_entries(made) == {
        "seller": (Decimal("-55.00"), Decimal("-27.50")),
        "platform": (Decimal("-5.00"), Decimal("-2.50")),
    }
    assert order_status(part) == ("paid", "paid")


def test_the_ledger_changes_add_up_to_the_refunded_amount():
    part = card_paid_part()
    seller_before, platform_before = balances(part)

    refund(part, "0.07", key="a")
    refund(part, "13.33", key="b")

    seller_after, platform_after = balances(part)
    # 13.40 EUR at 2 AZN per EUR.
    assert (seller_after - seller_before) + (platform_after - platform_before) == Decimal("-26.80")


def test_a_full_refund_empties_the_part_and_moves_it_and_the_order_to_refunded():
    part = card_paid_part()
    seller_before, platform_before = balances(part)

    made = refund(part)

    assert made.amount == Decimal("60.00")
    assert balances(part) == (seller_before - Decimal("110.00"), platform_before - Decimal("10.00"))
    assert order_status(part) == ("refunded", "refunded")


def test_partial_refunds_that_add_up_to_the_total_net_the_part_to_zero():
    part = card_paid_part()
    seller_before, platform_before = balances(part)

    for key, amount in (("a", "0.01"), ("b", "33.33"), ("c", "26.66")):
        refund(part, amount, key=key)

    assert balances(part) == (seller_before - Decimal("110.00"), platform_before - Decimal("10.00"))
    assert order_status(part) == ("refunded", "refunded")


def test_a_zero_decimal_currency_is_refunded_in_whole_yen():
    part = card_paid_part(currency="JPY")

    made = refund(part, "4800")

    assert refund_entries(made) == {
        "seller": (Decimal("-55.00"), Decimal("-4400.00")),
        "platform": (Decimal("-5.00"), Decimal("-400.00")),
    }


def test_five_identical_requests_make_one_refund_and_one_gateway_call(monkeypatch):
    part = card_paid_part()
    calls = []
    real = DummyGateway.refund
    monkeypatch.setattr(
        DummyGateway, "refund", lambda self, **kw: calls.append(kw) or real(self, **kw)
    )
    staff = order_manager()

    made = {refund(part, "10.00", key="same", actor=staff).pk for _ in range(5)}

    assert len(made) == 1
    assert len(calls) == 1
    assert Refund.objects.count() == 1
    assert calls[0]["idempotency_key"] == f"refund-{made.pop()}"


def test_the_same_key_for_another_amount_is_refused_and_changes_nothing():
    part = card_paid_part()
    refund(part, "10.00", key="same")
    before = everything()

    refused("idempotency_conflict", part=part, amount="11.00", key="same")

    assert everything() == before


def test_a_refund_above_what_is_left_is_refused_and_changes_nothing():
    part = card_paid_part()
    refund(part, "50.00", key="first")
    before = everything()

    error = refused("refund_exceeds_paid", part=part, amount="10.01", key="second")

    assert "10.00 EUR" in error.message
    assert everything() == before


def test_a_part_refunded_in_full_has_nothing_left_to_refund():
    part = card_paid_part()
    refund(part, key="all")
    before = everything()

    refused("refund_exceeds_paid", part=part, key="again")

    assert everything() == before


@pytest.mark.parametrize("amount", ["0", "-1.00", "0.001"])
def test_an_amount_not_positive_or_finer_than_the_minor_unit_is_refused(amount):
    part = card_paid_part()
    before = everything()

    refused("invalid_amount", part=part, amount=amount)

    assert everything() == before


def test_an_unpaid_order_is_refused_as_not_paid():
    part = unpaid_order().parts.get()
    before = everything()

    refused("not_paid", part=part)

    assert everything() == before


def test_a_refund_without_a_reason_is_refused():
    part = card_paid_part()

    refused("invalid", part=part, reason="  ")

    assert Refund.objects.count() == 0


def test_the_seller_may_not_refund_after_shipment():
    from market.orders.fulfilment import part_ship

    part = card_paid_part()
    part_ship(part=part, actor=None, carrier_code="manual", tracking_number="RR123456789AZ")
    before = everything()

    refused("already_shipped", part=part, actor=part.seller.user)

    assert everything() == before


def test_staff_may_refund_a_shipped_part():
    from market.orders.fulfilment import part_ship

    part = card_paid_part()
    part_ship(part=part, actor=None, carrier_code="manual", tracking_number="RR123456789AZ")

    made = refund(part)

    assert made.status == "succeeded"
    assert order_status(part) == ("refunded", "refunded")


def test_a_cancelled_paid_part_is_refunded_and_stays_cancelled():
    from market.orders.services import order_part_cancel

    part = card_paid_part()
    order_part_cancel(part=part, actor=order_manager(), reason="Kiln broke")

    made = refund(part)

    assert made.amount == Decimal("60.00")
    assert order_status(part) == ("cancelled", "cancelled")


def test_recording_a_refund_in_the_ledger_twice_writes_it_once():
    from market.ledger.models import LedgerEntry
    from market.ledger.services import ledger_record_refund

    made = refund(card_paid_part(), "10.00")

    again = ledger_record_refund(refund=made)

    assert len(again) == 2
    assert LedgerEntry.objects.filter(kind="refund").count() == 2

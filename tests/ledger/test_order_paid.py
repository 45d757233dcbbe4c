"""ledger_record_order_paid: where a paid order's money goes, once, to the minor unit."""

from decimal import Decimal as D

import pytest

from market.core.errors import DomainError
from market.ledger.models import CategoryCommission, LedgerEntry
from market.ledger.selectors import part_payable, platform_balance, seller_balance
from market.ledger.services import ledger_record_order_paid
from market.orders.models import OrderLine, OrderStatus
from tests.factories import CategoryFactory
from tests.ledger.helpers import LineSpec, PartSpec, paid_order

pytestmark = pytest.mark.django_db


def two_seller_eur_order():
    """Platform 10 %; ceramics 15 % (bowls inherit it); textiles pay the platform rate.
    Seller A: 2 × 45.50 bowls + 1 × 30.25 textile, shipping 12.40, duties 7.33.
    Seller B: 3 × 19.99 ceramics, shipping 8.00, duties 3.61. 1 EUR = 1.9335 AZN."""
    ceramics = CategoryFactory(name="Ceramics")
    bowls = CategoryFactory(name="Bowls", parent=ceramics)
    textiles = CategoryFactory(name="Textiles")
    CategoryCommission.objects.create(category=ceramics, rate=D("15"))
    return paid_order(
        currency="EUR",
        rate=D("1.9335"),
        parts=[
            PartSpec(
                lines=[LineSpec(bowls, 2, D("45.50")), LineSpec(textiles, 1, D("30.25"))],
                shipping=D("12.40"),
                duties=D("7.33"),
            ),
            PartSpec(
                lines=[LineSpec(ceramics, 3, D("19.99"))], shipping=D("8.00"), duties=D("3.61")
            ),
        ],
    )


def _figures(entries):
    return [
        (e.order_part.seller.name if e.seller_id else "platform", e.kind, e.amount_order, e.amount)
        for e in entries
    ]


def test_a_two_seller_ddp_order_is_split_into_shares_fees_shipping_and_duties():
    order = two_seller_eur_order()
    part_a, part_b = order.parts.order_by("pk")
    a, b = part_a.seller.name, part_b.seller.name

    entries = ledger_record_order_paid(order=order)

    # A's goods 121.25: fee 91.00 × 15 % + 30.25 × 10 % = 16.675; the half cent is a tie and
    # goes to the seller's share. B's goods 59.97 × 15 % = 8.9955 → 9.00. AZN: 212.56 EUR ×
    # 1.9335 = 410.98 split in proportion to the EUR amounts.
    assert _figures(entries) == [
        (a, "sale", D("104.58"), D("202.20")),
        ("platform", "platform_fee", D("16.67"), D("32.23")),
        (a, "shipping", D("12.40"), D("23.98")),
        ("platform", "duties_collected", D("7.33"), D("14.17")),
        (b, "sale", D("50.97"), D("98.55")),
        ("platform", "platform_fee", D("9.00"), D("17.40")),
        (b, "shipping", D("8.00"), D("15.47")),
        ("platform", "duties_collected", D("3.61"), D("6.98")),
    ]
    assert sum(e.amount_order for e in entries) == order.total_amount == D("212.56")
    assert sum(e.amount for e in entries) == order.total_base_amount == D("410.98")
    assert {(e.currency, e.currency_order) for e in entries} == {("AZN", "EUR")}


def test_balances_and_part_payable_are_the_sums_of_the_entries():
    order = two_seller_eur_order()
    part_a, part_b = order.parts.order_by("pk")

    ledger_record_order_paid(order=order)

    assert seller_balance(seller=part_a.seller) == D("226.18")
    assert seller_balance(seller=part_b.seller) == D("114.02")
    assert platform_balance() == D("70.78")
    assert part_payable(part=part_a) == D("226.18")
    assert part_payable(part=part_b) == D("114.02")


def test_entries_carry_one_key_per_part_and_kind():
    order = two_seller_eur_order()
    part = order.parts.order_by("pk").first()

    entries = ledger_record_order_paid(order=order)

    assert entries[0].key == f"order:{order.pk}:part:{part.pk}:sale"


def test_recording_the_same_order_twice_adds_nothing_and_returns_the_first_entries():
    order = two_seller_eur_order()
    first = ledger_record_order_paid(order=order)

    second = ledger_record_order_paid(order=order)

    assert [e.pk for e in second] == [e.pk for e in first]
    assert LedgerEntry.objects.count() == 8


def test_an_order_in_the_base_currency_records_the_same_amounts_in_both_columns():
    category = CategoryFactory()
    order = paid_order(
        currency="AZN",
        rate=D("1"),
        parts=[PartSpec(lines=[LineSpec(category, 3, D("33.33"))], shipping=D("5.00"))],
    )

    entries = ledger_record_order_paid(order=order)

    assert [(e.kind, e.amount_order, e.amount) for e in entries] == [
        ("sale", D("89.99"), D("89.99")),
        ("platform_fee", D("10.00"), D("10.00")),
        ("shipping", D("5.00"), D("5.00")),
    ]


def test_zero_amounts_are_not_recorded():
    order = paid_order(parts=[PartSpec(lines=[LineSpec(CategoryFactory(), 1, D("10.00"))])])

    entries = ledger_record_order_paid(order=order)

    assert [e.kind for e in entries] == ["sale", "platform_fee"]


def test_a_line_whose_listing_was_deleted_pays_the_platform_rate():
    category = CategoryFactory()
    CategoryCommission.objects.create(category=category, rate=D("50"))
    order = paid_order(parts=[PartSpec(lines=[LineSpec(category, 1, D("10.00"))])])
    OrderLine.objects.filter(part__order=order).update(variant=None)

    entries = ledger_record_order_paid(order=order)

    assert [(e.kind, e.amount_order) for e in entries] == [
        ("sale", D("9.00")),
        ("platform_fee", D("1.00")),
    ]


def test_an_unpaid_order_is_refused_and_nothing_is_written():
    order = paid_order(
        status=OrderStatus.UNPAID,
        parts=[PartSpec(lines=[LineSpec(CategoryFactory(), 1, D("10.00"))])],
    )

    with pytest.raises(DomainError) as refused:
        ledger_record_order_paid(order=order)

    assert refused.value.code == "order_not_paid"
    assert LedgerEntry.objects.count() == 0


def test_an_order_whose_parts_do_not_add_up_to_its_total_is_refused_and_nothing_is_written():
    order = two_seller_eur_order()
    order.total_amount = D("212.57")
    order.save(update_fields=["total_amount"])

    with pytest.raises(DomainError) as refused:
        ledger_record_order_paid(order=order)

    assert refused.value.code == "order_inconsistent"
    assert LedgerEntry.objects.count() == 0


def test_a_part_whose_lines_do_not_add_up_to_its_goods_is_refused():
    order = two_seller_eur_order()
    OrderLine.objects.filter(part__order=order).update(total_amount=D("1.00"))

    with pytest.raises(DomainError) as refused:
        ledger_record_order_paid(order=order)

    assert refused.value.code == "order_inconsistent"
    assert LedgerEntry.objects.count() == 0

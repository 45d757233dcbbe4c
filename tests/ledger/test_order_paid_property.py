"""For every order, whatever its currency, prices and commission rates: buyer paid = sellers'
shares + platform fees + shipping + duties, to the minor unit, in both currencies."""

from decimal import Decimal as D

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from market.core.money import currency_precision, quantize
from market.ledger.models import CategoryCommission
from market.ledger.services import ledger_record_order_paid
from tests.factories import CategoryFactory
from tests.ledger.helpers import LineSpec, PartSpec, paid_order

pytestmark = pytest.mark.django_db

# AZN per one unit of the currency, as stored rates look.
RATES = {
    "AZN": D("1"),
    "EUR": D("1.9335"),
    "USD": D("1.7000"),
    "JPY": D("0.011342"),
    "GBP": D("2.1544217"),
    "TRY": D("0.04963"),
}
ANCESTRY = {0: [0], 1: [1, 0], 2: [2, 1, 0], 3: [3]}  # slot → itself, then its ancestors
PERCENT = st.decimals(min_value=0, max_value=100, places=2)


def amounts(currency, max_units=10**6):
    places = currency_precision(currency)
    return st.integers(min_value=0, max_value=max_units).map(lambda u: D(u).scaleb(-places))


@st.composite
def orders(draw):
    currency = draw(st.sampled_from(sorted(RATES)))
    rate = draw(st.sampled_from([RATES[currency], RATES[currency] * D("1.0000371")]))
    if currency == "AZN":
        rate = D("1")
    # Category slots: index 0 a root, 1 its child, 2 a grandchild, 3 a loner; each may have
    # its own rate.
    overrides = draw(st.lists(st.one_of(st.none(), PERCENT), min_size=4, max_size=4))
    parts = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "lines": st.lists(
                        st.tuples(st.integers(0, 3), st.integers(1, 10), amounts(currency, 10**5)),
                        min_size=1,
                        max_size=5,
                    ),
                    "shipping": amounts(currency, 10**4),
                    "duties": st.one_of(st.just(D(0)), amounts(currency, 10**4)),
                }
            ),
            min_size=1,
            max_size=4,
        )
    )
    return currency, rate, draw(PERCENT), overrides, parts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=orders())
def test_buyer_paid_equals_shares_fees_shipping_and_duties_to_the_minor_unit(drawn):
    currency, rate, platform_rate, overrides, part_specs = drawn
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    categories = [root, child, CategoryFactory(parent=child), CategoryFactory()]
    CategoryCommission.objects.filter(category__in=categories).delete()
    for category, override in zip(categories, overrides, strict=True):
        if override is not None:
            CategoryCommission.objects.create(category=category, rate=override)
    order = paid_order(
        currency=currency,
        rate=rate,
        parts=[
            PartSpec(
                lines=[LineSpec(categories[c], q, p) for c, q, p in spec["lines"]],
                shipping=spec["shipping"],
                duties=spec["duties"],
            )
            for spec in part_specs
        ],
    )

    with override_settings(MARKET_COMMISSION_RATE=str(platform_rate)):
        entries = ledger_record_order_paid(order=order)

    assert sum((e.amount_order for e in entries), D(0)) == order.total_amount
    assert sum((e.amount for e in entries), D(0)) == order.total_base_amount
    for entry in entries:
        assert entry.currency == "AZN" and entry.currency_order == currency
        assert quantize(entry.amount_order, currency) == entry.amount_order
        assert quantize(entry.amount, "AZN") == entry.amount
        assert entry.amount >= 0 and entry.amount_order >= 0
    unit = D(1).scaleb(-currency_precision(currency))
    for part, spec in zip(order.parts.order_by("pk"), part_specs, strict=True):
        mine = [e for e in entries if e.order_part_id == part.pk]
        by_kind = {e.kind: e.amount_order for e in mine}
        assert by_kind.get("sale", 0) + by_kind.get("platform_fee", 0) == part.subtotal_amount
        exact_fee = sum(
            (
                quantize(p * q, currency) * _rate(c, overrides, platform_rate) / 100
                for c, q, p in spec["lines"]
            ),
            D(0),
        )
        assert abs(by_kind.get("platform_fee", 0) - exact_fee) < unit
        assert by_kind.get("shipping", 0) == part.shipping_amount
        assert by_kind.get("duties_collected", 0) == part.duties_amount
        assert {e.seller_id for e in mine if e.kind in ("sale", "shipping")} <= {part.seller_id}


def _rate(slot, overrides, platform_rate):
    return next((overrides[s] for s in ANCESTRY[slot] if overrides[s] is not None), platform_rate)

"""allocate(): shares in proportion to weights that add up to the total to the minor unit."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from market.core.money import currency_precision
from market.ledger.allocation import allocate


def test_three_equal_shares_of_one_euro_give_the_left_over_cent_to_the_first():
    assert allocate(D("1.00"), [D(1), D(1), D(1)], "EUR") == [D("0.34"), D("0.33"), D("0.33")]


def test_the_left_over_unit_goes_to_the_largest_dropped_fraction():
    # Exact shares 0.333…, 0.666…: the second has the larger fraction and takes the cent.
    assert allocate(D("0.01"), [D(1), D(2)], "EUR") == [D("0.00"), D("0.01")]
    assert allocate(D("10.00"), [D(1), D(2)], "EUR") == [D("3.33"), D("6.67")]


def test_zero_decimal_currency_splits_whole_units():
    assert allocate(D("1000"), [D(1), D(1), D(1)], "JPY") == [D(334), D(333), D(333)]


def test_weights_equal_to_the_amounts_return_the_amounts_unchanged():
    assert allocate(D("100.00"), [D("33.33"), D("66.67")], "AZN") == [D("33.33"), D("66.67")]


def test_a_negative_total_is_split_with_the_sign_on_every_share():
    assert allocate(D("-1.00"), [D(1), D(1), D(1)], "EUR") == [D("-0.34"), D("-0.33"), D("-0.33")]


def test_zero_total_with_zero_weights_gives_zero_shares():
    assert allocate(D("0"), [D(0), D(0)], "EUR") == [D("0.00"), D("0.00")]


def test_a_total_finer_than_the_minor_unit_is_refused():
    with pytest.raises(ValueError, match="minor units"):
        allocate(D("1.005"), [D(1)], "EUR")
    with pytest.raises(ValueError, match="minor units"):
        allocate(D("1.5"), [D(1)], "JPY")


def test_negative_weights_are_refused():
    with pytest.raises(ValueError, match="negative"):
        allocate(D("1.00"), [D(2), D(-1)], "EUR")


def test_a_non_zero_total_with_all_weights_zero_is_refused():
    with pytest.raises(ValueError, match="all zero"):
        allocate(D("1.00"), [D(0), D(0)], "EUR")


@given(
    currency=st.sampled_from(["AZN", "EUR", "JPY", "USD"]),
    units=st.integers(min_value=-(10**9), max_value=10**9),
    weights=st.lists(
        st.decimals(min_value=0, max_value=10**6, places=3), min_size=1, max_size=12
    ).filter(lambda ws: sum(ws) > 0),
)
def test_shares_add_up_to_the_total_and_each_is_within_one_minor_unit_of_exact(
    currency, units, weights
):
    places = currency_precision(currency)
    total = D(units).scaleb(-places)
    shares = allocate(total, weights, currency)
    assert sum(shares) == total
    unit = D(1).scaleb(-places)
    for share, weight in zip(shares, weights, strict=True):
        assert share == share.quantize(unit)
        assert abs(share - total * weight / sum(weights)) < unit

from decimal import Decimal

import pytest

from market.core.errors import DomainError
from market.core.money import (
    Money,
    from_minor_units,
    quantize,
    to_minor_units,
    validate_currency,
)


def test_amounts_round_half_up_to_the_currencys_minor_unit():
    assert quantize(Decimal("10.005"), "EUR") == Decimal("10.01")
    assert quantize(Decimal("10.004"), "EUR") == Decimal("10.00")


def test_zero_decimal_currencies_round_to_whole_units():
    assert quantize(Decimal("1234.5"), "JPY") == Decimal("1235")
    assert quantize(Decimal("1234.5"), "JPY").as_tuple().exponent == 0


def test_money_refuses_a_float_amount():
    with pytest.raises(TypeError):
        Money(10.5, "EUR")


def test_money_formats_for_display():
    assert Money(Decimal("12.50"), "EUR").formatted() == "€12.50"


def test_currency_codes_are_normalised_and_unknown_ones_refused():
    assert validate_currency(" eur ") == "EUR"
    with pytest.raises(DomainError) as refused:
        validate_currency("XYZ", field="currency")
    assert refused.value.code == "unknown_currency"
    assert refused.value.field == "currency"


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [("12.50", "EUR", 1250), ("1500", "JPY", 1500), ("0.01", "USD", 1), ("-3.20", "AZN", -320)],
)
def test_an_amount_becomes_whole_minor_units_and_back(amount, currency, units):
    assert to_minor_units(Decimal(amount), currency) == units
    assert from_minor_units(units, currency) == Decimal(amount)


def test_an_amount_finer_than_the_minor_unit_is_refused_not_rounded():
    with pytest.raises(ValueError, match="minor units"):
        to_minor_units(Decimal("12.505"), "EUR")
    with pytest.raises(ValueError, match="minor units"):
        to_minor_units(Decimal("1500.5"), "JPY")


def test_minor_units_come_back_with_the_currencys_places():
    assert str(from_minor_units(1500, "JPY")) == "1500"
    assert str(from_minor_units(1200, "EUR")) == "12.00"

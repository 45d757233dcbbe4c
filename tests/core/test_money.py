from decimal import Decimal

import pytest

from market.core.errors import DomainError
from market.core.money import Money, quantize, validate_currency


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

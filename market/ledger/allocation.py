"""Splitting an amount so that the parts add up to it exactly (largest remainder).

Rounding each share on its own loses or invents minor units (three thirds of 1.00 are 0.33
each, 0.99 in all). Here each share first gets the minor units it has in full; the units left
over go, one each, to the shares with the largest dropped fractions (the earlier share on a
tie), so the shares always add up to the total to the minor unit.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from market.core.money import currency_precision, from_minor_units


def allocate(total: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights`` into amounts of ``currency``'s minor unit.

    ``total`` must already be a whole number of minor units (it may be negative: each share
    then takes the sign); weights are non-negative and, unless ``total`` is zero, not all zero.
    """
    if any(weight < 0 for weight in weights):
        raise ValueError("Weights must not be negative.")
    places = currency_precision(currency)
    scaled = Fraction(total) * 10**places
    if scaled.denominator != 1:
        raise ValueError(f"{total} is not a whole number of {currency} minor units.")
    units = scaled.numerator
    weight_sum = sum((Fraction(weight) for weight in weights), Fraction(0))
    if weight_sum == 0:
        if units:
            raise ValueError("Cannot split a non-zero total by weights that are all zero.")
        return [from_minor_units(0, currency) for _ in weights]
    sign, units = (-1 if units < 0 else 1), abs(units)
    exact = [units * Fraction(weight) / weight_sum for weight in weights]
    shares = [int(share) for share in exact]  # floor: every share is non-negative
    left_over = units - sum(shares)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:left_over]:
        shares[i] += 1
    return [from_minor_units(sign * share, currency) for share in shares]

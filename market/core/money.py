"""Money: a ``Decimal`` amount with an ISO 4217 currency, rounded once, in one way.

Every amount the marketplace shows or stores passes through :func:`quantize` — the single place
where an amount is rounded to its currency's minor unit (half up, as shoppers expect).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel.numbers import format_currency, get_currency_precision
from django.conf import settings

from market.core.errors import CoreErrorCode, DomainError

ROUNDING = ROUND_HALF_UP


@cache
def currency_precision(currency: str) -> int:
    """Digits after the decimal point for ``currency`` (2 for EUR, 0 for JPY)."""
    return get_currency_precision(currency)


def quantize(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-currency_precision(currency)), rounding=ROUNDING)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """``amount`` as an integer of the currency's minor units, as Stripe counts money (12.50 EUR
    → 1250, 1500 JPY → 1500). An amount finer than the minor unit raises ``ValueError``: it would
    be charged or paid rounded, so the caller must have rounded it (:func:`quantize`) on purpose.
    """
    minor = amount.scaleb(currency_precision(currency))
    if minor != minor.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of {currency}'s minor units.")
    return int(minor)


def from_minor_units(units: int, currency: str) -> Decimal:
    """An integer of the currency's minor units as its amount (1250 EUR → 12.50)."""
    places = currency_precision(currency)
    return Decimal(int(units)).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def base_currency() -> str:
    code: str = settings.MARKET_BASE_CURRENCY
    return code


def supported_currencies() -> list[str]:
    return list(settings.MARKET_CURRENCIES)


def validate_currency(currency: str, *, field: str = "currency") -> str:
    """Return the upper-cased code of a currency the marketplace sells in, or refuse it."""
    code = (currency or "").strip().upper()
    if code not in settings.MARKET_CURRENCIES:
        raise DomainError(
            CoreErrorCode.UNKNOWN_CURRENCY,
            f"Unknown currency '{currency}'. Supported: {', '.join(settings.MARKET_CURRENCIES)}.",
            field=field,
        )
    return code


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal, never a float")

    def quantized(self) -> Money:
        return Money(quantize(self.amount, self.currency), self.currency)

    def formatted(self, locale: str = "en") -> str:
        return format_currency(self.amount, self.currency, locale=locale)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

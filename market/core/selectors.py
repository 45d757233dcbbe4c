from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from market.core.errors import CoreErrorCode, DomainError
from market.core.models import ExchangeRate
from market.core.money import Money, base_currency, quantize, validate_currency


@dataclass(frozen=True)
class PriceConverter:
    """Turns base-currency amounts into one target currency at one stored rate.

    ``rate`` is base-currency units per one unit of ``currency``; prices are divided by it and
    rounded once to the target currency's minor unit.
    """

    base: str
    currency: str
    rate: Decimal
    source: str
    valid_at: dt.datetime | None

    def from_base(self, amount: Decimal) -> Money:
        if self.currency == self.base:
            return Money(quantize(amount, self.currency), self.currency)
        return Money(quantize(amount / self.rate, self.currency), self.currency)

    def to_base(self, amount: Decimal) -> Decimal:
        """An amount in the target currency expressed in the base currency (unrounded)."""
        return amount if self.currency == self.base else amount * self.rate


def exchange_rate_get_latest(*, currency: str) -> ExchangeRate | None:
    return (
        ExchangeRate.objects.filter(base_currency=base_currency(), currency=currency)
        .order_by("-valid_at", "-pk")
        .first()
    )


def price_converter_get(*, currency: str | None, field: str = "currency") -> PriceConverter:
    """The converter for ``currency`` (default: base), or a refusal naming ``field``."""
    base = base_currency()
    code = validate_currency(currency or base, field=field)
    if code == base:
        return PriceConverter(base=base, currency=base, rate=Decimal(1), source="base",
                              valid_at=None)
    rate = exchange_rate_get_latest(currency=code)
    if rate is None:
        raise DomainError(CoreErrorCode.NO_EXCHANGE_RATE,
                          f"No exchange rate is known for {code} yet.", field=field)
    return PriceConverter(base=base, currency=code, rate=rate.rate, source=rate.source,
                          valid_at=rate.valid_at)


def exchange_rates_latest() -> list[ExchangeRate]:
    """The rate in force for each currency (one query)."""
    latest: dict[str, ExchangeRate] = {}
    for rate in ExchangeRate.objects.filter(base_currency=base_currency()).order_by(
        "currency", "-valid_at", "-pk"
    ):
        latest.setdefault(rate.currency, rate)
    return list(latest.values())

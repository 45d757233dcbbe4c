from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from market.core.errors import CoreErrorCode, DomainError
from market.core.models import ExchangeRate
from market.core.money import (
    Money,
    base_currency,
    quantize,
    supported_currencies,
    validate_currency,
)
from market.core.reference_cache import reference_get


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
    """The rate in force for ``currency`` (kept in the shared cache until a rate is recorded:
    ``market.core.reference_cache``)."""
    base = base_currency()
    return reference_get(
        f"rate:{base}:{currency}",
        lambda: (
            ExchangeRate.objects.filter(base_currency=base, currency=currency)
            .order_by("-valid_at", "-pk")
            .first()
        ),
    )


def price_converter_get(*, currency: str | None, field: str = "currency") -> PriceConverter:
    """The converter for ``currency`` (default: base), or a refusal naming ``field``."""
    base = base_currency()
    code = validate_currency(currency or base, field=field)
    if code == base:
        return _base_converter()
    rate = exchange_rate_get_latest(currency=code)
    if rate is None:
        raise DomainError(
            CoreErrorCode.NO_EXCHANGE_RATE,
            f"No exchange rate is known for {code} yet.",
            field=field,
        )
    return PriceConverter(
        base=base, currency=code, rate=rate.rate, source=rate.source, valid_at=rate.valid_at
    )


def price_converters_all() -> dict[str, PriceConverter | None]:
    """Each supported currency's converter at the rate in force, None where none is known."""
    base = base_currency()
    latest: dict[str, ExchangeRate] = {}
    for row in ExchangeRate.objects.filter(base_currency=base).order_by(
        "currency", "-valid_at", "-pk"
    ):
        latest.setdefault(row.currency, row)
    converters: dict[str, PriceConverter | None] = {}
    for code in supported_currencies():
        rate = latest.get(code)
        if code == base:
            converters[code] = _base_converter()
        elif rate is not None:
            converters[code] = PriceConverter(
                base=base, currency=code, rate=rate.rate, source=rate.source, valid_at=rate.valid_at
            )
        else:
            converters[code] = None
    return converters


def _base_converter() -> PriceConverter:
    base = base_currency()
    return PriceConverter(base=base, currency=base, rate=Decimal(1), source="base", valid_at=None)


@dataclass(frozen=True)
class ExchangeRatesStatus:
    """How fresh the rates in force are: the newest publication time among all currencies."""

    newest_at: dt.datetime | None
    age: dt.timedelta | None
    is_stale: bool
    source: str


def exchange_rates_status(*, now: dt.datetime | None = None) -> ExchangeRatesStatus:
    """Rates are stale when the newest one was published more than
    EXCHANGE_RATES_STALE_AFTER_HOURS ago, or when none is known at all."""
    newest = (
        ExchangeRate.objects.filter(base_currency=base_currency())
        .order_by("-valid_at", "-pk")
        .only("valid_at", "source")
        .first()
    )
    if newest is None:
        return ExchangeRatesStatus(newest_at=None, age=None, is_stale=True, source="")
    age = max((now or timezone.now()) - newest.valid_at, dt.timedelta(0))
    stale_after = dt.timedelta(hours=settings.EXCHANGE_RATES_STALE_AFTER_HOURS)
    return ExchangeRatesStatus(
        newest_at=newest.valid_at, age=age, is_stale=age > stale_after, source=newest.source
    )


def exchange_rates_age(*, now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long ago the newest rate was published; None when no rate is known."""
    return exchange_rates_status(now=now).age

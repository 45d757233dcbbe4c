from __future__ import annotations

import datetime as dt

from django.db import transaction

from market.core import cbar
from market.core.catalogue_cache import catalogue_changed
from market.core.models import ExchangeRate
from market.core.money import base_currency, supported_currencies


@transaction.atomic
def exchange_rates_record_bulletin(
    *, xml: bytes | str, source: str = cbar.SOURCE, valid_at: dt.datetime | None = None
) -> list[ExchangeRate]:
    """Store a CBAR bulletin's rates for the currencies we sell in; twice is a no-op.

    ``valid_at`` defaults to the bulletin's own date; only a sample bulletin re-dated for the
    demo passes another, with a ``source`` that says it is a sample."""
    bulletin = cbar.parse_bulletin(xml)
    valid_at = valid_at or dt.datetime.combine(bulletin.date, dt.time(0, 0), tzinfo=dt.UTC)
    base = base_currency()
    recorded = []
    for code in supported_currencies():
        parsed = bulletin.rates.get(code)
        if code == base or parsed is None:
            continue
        rate, _ = ExchangeRate.objects.get_or_create(
            base_currency=base,
            currency=code,
            source=source,
            valid_at=valid_at,
            defaults={"rate": parsed.rate},
        )
        recorded.append(rate)
    # Every price shown in another currency may change.
    catalogue_changed(listings=True)
    return recorded

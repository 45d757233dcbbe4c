from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Model

from market.core import cbar
from market.core.catalogue_cache import catalogue_changed
from market.core.context import current_request_id
from market.core.models import ExchangeRate, PersonalDataAccess, PersonalDataAction
from market.core.money import base_currency, supported_currencies

if TYPE_CHECKING:
    from market.accounts.models import User


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


def personal_data_access_record(
    *,
    actor: User | None,
    action: PersonalDataAction,
    subject: User | None = None,
    record: Model | None = None,
    reason: str = "",
) -> PersonalDataAccess:
    """One row of the audit log of people's data (``PersonalDataAccess``), with the request
    id of the work it belongs to. The caller writes it inside the transaction of the action,
    so an action that rolls back leaves no row and a row never lacks its action."""
    return PersonalDataAccess.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        subject=subject if subject is not None and subject.pk else None,
        record=f"{record._meta.label} {record.pk}" if record is not None else "",
        request_id=(current_request_id() or "")[:64],
        reason=reason,
    )

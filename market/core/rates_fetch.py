"""Fetch the Central Bank of Azerbaijan's daily bulletin and record its rates.

The bank publishes no bulletin on some days (weekends, holidays), so we walk back a few days to
the newest one. When the bank cannot be reached or answers with something that is not a
bulletin, the rates we have stay in force: the result says so and how old they are.
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.utils import timezone

from market.core import cbar
from market.core.models import ExchangeRate
from market.core.selectors import ExchangeRatesStatus, exchange_rates_status
from market.core.services import exchange_rates_record_bulletin

logger = logging.getLogger(__name__)

FETCH_TIMEOUT_SECONDS = 10
# A long holiday (Novruz) leaves up to five days without a bulletin.
MAX_DAYS_BACK = 5


class RefreshOutcome(StrEnum):
    RECORDED = "recorded"  # new rates stored
    UNCHANGED = "unchanged"  # the newest bulletin was stored already
    UNREACHABLE = "unreachable"  # network failure: worth retrying later
    INVALID = "invalid"  # the bank answered with something we cannot read
    NOT_PUBLISHED = "not_published"  # no bulletin for any of the days tried


@dataclass(frozen=True)
class RefreshResult:
    outcome: RefreshOutcome
    url: str  # the last address asked
    bulletin_date: dt.date | None
    recorded: int  # rate rows added by this refresh
    status: ExchangeRatesStatus  # the rates in force after the refresh
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in (RefreshOutcome.RECORDED, RefreshOutcome.UNCHANGED)

    @property
    def message(self) -> str:
        if self.status.newest_at is None or self.status.age is None:
            kept = "no exchange rates are known yet"
        else:
            hours = self.status.age.total_seconds() / 3600
            kept = (
                f"the newest rates are from {self.status.newest_at:%Y-%m-%d %H:%M} UTC, "
                f"{hours:.1f} hours old{' (stale)' if self.status.is_stale else ''}"
            )
        if self.outcome == RefreshOutcome.RECORDED:
            return f"Recorded {self.recorded} rates from the {self.bulletin_date} bulletin; {kept}."
        if self.outcome == RefreshOutcome.UNCHANGED:
            return f"The {self.bulletin_date} bulletin was recorded already; {kept}."
        return (
            f"Exchange rates not refreshed ({self.outcome}: {self.error}); "
            f"the previous rates stay in force: {kept}."
        )


class BulletinNotPublished(Exception):
    """The bank has no bulletin for the day asked (HTTP 404)."""


def fetch_url(url: str) -> bytes:
    """The body at ``url``; BulletinNotPublished on 404, OSError on any network failure."""
    request = urllib.request.Request(url, headers={"User-Agent": "creative-market/rates"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise BulletinNotPublished(url) from exc
        raise


def bulletin_url(day: dt.date) -> str:
    template: str = settings.CBAR_RATES_URL
    return template.format(date=day.strftime("%d.%m.%Y"))


def exchange_rates_refresh(
    *, today: dt.date | None = None, fetch: Callable[[str], bytes] | None = None
) -> RefreshResult:
    """Record the newest CBAR bulletin published on ``today`` or up to five days before.

    Never raises for a failure of the bank or the network: the stored rates are kept and the
    result says why nothing was refreshed and how old the rates in force are. ``fetch`` (tests)
    behaves like :func:`fetch_url`: the body, BulletinNotPublished, or an OSError.
    """
    fetch = fetch or fetch_url
    today = today or timezone.localdate()
    before = ExchangeRate.objects.count()
    url = ""
    for days_back in range(MAX_DAYS_BACK + 1):
        url = bulletin_url(today - dt.timedelta(days=days_back))
        try:
            body = fetch(url)
        except BulletinNotPublished:
            continue
        # socket timeouts and URLError are OSErrors; ValueError covers a malformed URL.
        except (OSError, ValueError) as exc:
            return _failed(RefreshOutcome.UNREACHABLE, url, str(exc))
        try:
            bulletin_date = cbar.parse_bulletin(body).date
            exchange_rates_record_bulletin(xml=body)
        except cbar.BulletinError as exc:
            return _failed(RefreshOutcome.INVALID, url, str(exc))
        recorded = ExchangeRate.objects.count() - before
        result = RefreshResult(
            outcome=RefreshOutcome.RECORDED if recorded else RefreshOutcome.UNCHANGED,
            url=url,
            bulletin_date=bulletin_date,
            recorded=recorded,
            status=exchange_rates_status(),
        )
        logger.info("%s", result.message)
        return result
    return _failed(
        RefreshOutcome.NOT_PUBLISHED,
        url,
        f"no bulletin for {today} or the {MAX_DAYS_BACK} days before",
    )


def _failed(outcome: RefreshOutcome, url: str, error: str) -> RefreshResult:
    result = RefreshResult(
        outcome=outcome,
        url=url,
        bulletin_date=None,
        recorded=0,
        status=exchange_rates_status(),
        error=error,
    )
    logger.warning("%s (%s)", result.message, url)
    return result

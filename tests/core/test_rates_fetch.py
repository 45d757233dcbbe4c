import datetime as dt
import socket
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from market.core.models import ExchangeRate
from market.core.rates_fetch import RefreshOutcome, exchange_rates_refresh
from market.core.selectors import exchange_rates_age, exchange_rates_status
from tests.factories import ExchangeRateFactory
from workers.rates import ExchangeRatesSourceUnreachable, refresh_exchange_rates

SAMPLE = Path(__file__).resolve().parents[2] / "market/core/fixtures/cbar-rates-2018-10-30.xml"
BULLETIN_DAY = dt.date(2018, 10, 30)
BULLETIN_AT = dt.datetime(2018, 10, 30, tzinfo=dt.UTC)


class FakeBank:
    """A local HTTP server standing in for cbar.az: ``pages`` maps a path to (status, body)."""

    def __init__(self):
        self.pages: dict[str, tuple[int, bytes]] = {}
        self.asked: list[str] = []
        bank = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                bank.asked.append(self.path)
                status, body = bank.pages.get(self.path, (404, b"Not found"))
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/currencies/{{date}}.xml"

    def serve(self, day: dt.date, body: bytes, status: int = 200):
        self.pages[f"/currencies/{day:%d.%m.%Y}.xml"] = (status, body)


@pytest.fixture
def bank(settings):
    bank = FakeBank()
    bank.thread.start()
    settings.CBAR_RATES_URL = bank.url
    yield bank
    bank.server.shutdown()
    bank.server.server_close()


@pytest.fixture
def bank_down(settings):
    # A port that was free a moment ago: connecting to it is refused at once.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CBAR_RATES_URL = f"http://127.0.0.1:{port}/currencies/{{date}}.xml"


@pytest.fixture
def old_rates(db):
    """Rates recorded two days before the bulletin day, i.e. stale on that day."""
    return ExchangeRateFactory(
        currency="EUR", rate="2.0000", source="cbar.az", valid_at=BULLETIN_AT - dt.timedelta(days=2)
    )


@pytest.mark.django_db
def test_the_days_bulletin_is_downloaded_and_its_rates_recorded(bank):
    bank.serve(BULLETIN_DAY, SAMPLE.read_bytes())

    result = exchange_rates_refresh(today=BULLETIN_DAY)

    assert result.outcome == RefreshOutcome.RECORDED
    assert result.recorded == 9
    assert result.bulletin_date == BULLETIN_DAY
    assert bank.asked == ["/currencies/30.10.2018.xml"]
    eur = ExchangeRate.objects.get(currency="EUR")
    assert (eur.rate, eur.source, eur.valid_at) == (Decimal("1.9348"), "cbar.az", BULLETIN_AT)


@pytest.mark.django_db
def test_a_day_without_bulletin_falls_back_to_the_day_before(bank):
    bank.serve(BULLETIN_DAY, SAMPLE.read_bytes())

    result = exchange_rates_refresh(today=BULLETIN_DAY + dt.timedelta(days=1))

    assert result.outcome == RefreshOutcome.RECORDED
    assert result.bulletin_date == BULLETIN_DAY
    assert bank.asked == ["/currencies/31.10.2018.xml", "/currencies/30.10.2018.xml"]
    assert ExchangeRate.objects.count() == 9


@pytest.mark.django_db
def test_the_walk_back_stops_after_five_days_and_keeps_the_rates(bank, old_rates):
    result = exchange_rates_refresh(today=BULLETIN_DAY)

    assert result.outcome == RefreshOutcome.NOT_PUBLISHED
    assert len(bank.asked) == 6
    assert list(ExchangeRate.objects.all()) == [old_rates]


@pytest.mark.django_db
def test_running_twice_records_nothing_twice(bank):
    bank.serve(BULLETIN_DAY, SAMPLE.read_bytes())
    exchange_rates_refresh(today=BULLETIN_DAY)

    again = exchange_rates_refresh(today=BULLETIN_DAY)

    assert again.outcome == RefreshOutcome.UNCHANGED
    assert again.recorded == 0
    assert again.ok
    assert ExchangeRate.objects.count() == 9


@pytest.mark.django_db
def test_bank_unreachable_keeps_the_rates_and_says_how_old_they_are(
    bank_down, old_rates, time_at_bulletin_day
):
    result = exchange_rates_refresh(today=BULLETIN_DAY)

    assert result.outcome == RefreshOutcome.UNREACHABLE
    assert not result.ok
    assert list(ExchangeRate.objects.all()) == [old_rates]
    assert result.status.newest_at == old_rates.valid_at
    assert result.status.age == dt.timedelta(days=2, hours=10)
    assert result.status.is_stale
    assert "58.0 hours old (stale)" in result.message
    assert "previous rates stay in force" in result.message


@pytest.mark.django_db
def test_a_page_that_is_not_a_bulletin_keeps_the_rates(bank, old_rates):
    bank.serve(BULLETIN_DAY, b"<html><body>maintenance</body></html>")

    result = exchange_rates_refresh(today=BULLETIN_DAY)

    assert result.outcome == RefreshOutcome.INVALID
    assert result.status.newest_at == old_rates.valid_at
    assert list(ExchangeRate.objects.all()) == [old_rates]


@pytest.mark.django_db
def test_a_server_error_counts_as_unreachable_not_as_a_missing_day(bank, old_rates):
    bank.serve(BULLETIN_DAY, b"oops", status=503)

    result = exchange_rates_refresh(today=BULLETIN_DAY)

    assert result.outcome == RefreshOutcome.UNREACHABLE
    assert bank.asked == ["/currencies/30.10.2018.xml"]
    assert list(ExchangeRate.objects.all()) == [old_rates]


@pytest.mark.django_db
def test_with_no_rate_known_the_status_is_stale_without_age(bank_down):
    result = exchange_rates_refresh(today=BULLETIN_DAY)

    assert result.status.newest_at is None
    assert result.status.is_stale
    assert "no exchange rates are known yet" in result.message


@pytest.fixture
def time_at_bulletin_day(monkeypatch):
    """Pin "now" to 10:00 UTC on the bulletin day."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: BULLETIN_AT + dt.timedelta(hours=10))


@pytest.mark.django_db
def test_rates_are_fresh_within_the_allowed_hours(settings):
    settings.EXCHANGE_RATES_STALE_AFTER_HOURS = 48
    ExchangeRateFactory(valid_at=BULLETIN_AT)

    status = exchange_rates_status(now=BULLETIN_AT + dt.timedelta(hours=47))

    assert status.age == dt.timedelta(hours=47)
    assert not status.is_stale
    assert exchange_rates_age(now=BULLETIN_AT + dt.timedelta(hours=49)) == dt.timedelta(hours=49)
    assert exchange_rates_status(now=BULLETIN_AT + dt.timedelta(hours=49)).is_stale


@pytest.mark.django_db
def test_the_task_retries_when_the_bank_is_unreachable(bank_down):
    with pytest.raises(ExchangeRatesSourceUnreachable):
        refresh_exchange_rates.run()


@pytest.mark.django_db
def test_the_task_records_the_rates(bank, time_at_bulletin_day):
    bank.serve(dt.date(2018, 10, 30), SAMPLE.read_bytes())

    message = refresh_exchange_rates.run()

    assert message.startswith("Recorded 9 rates from the 2018-10-30 bulletin")


@pytest.mark.django_db
def test_the_command_reports_failure_with_the_age(bank_down, old_rates, time_at_bulletin_day):
    with pytest.raises(CommandError, match="58.0 hours old"):
        call_command("refresh_exchange_rates", "--date", "2018-10-30")


@pytest.mark.django_db
def test_the_api_says_how_old_the_rates_are(gql, old_rates, time_at_bulletin_day):
    data = gql.execute("{ exchangeRatesStatus { newestAt ageHours isStale source } }")

    assert data["exchangeRatesStatus"] == {
        "newestAt": "2018-10-28T00:00:00+00:00",
        "ageHours": 58.0,
        "isStale": True,
        "source": "cbar.az",
    }


def test_the_task_is_scheduled_daily():
    from workers.app import app

    schedule = app.conf.beat_schedule["refresh-exchange-rates"]
    assert schedule["task"] == "core.refresh_exchange_rates"
    assert schedule["task"] in app.tasks

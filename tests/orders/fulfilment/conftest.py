import pytest

from tests.orders.fulfilment.helpers import EmailOutbox


@pytest.fixture
def outbox(monkeypatch):
    """E-mails the fulfilment services queue, recorded instead of sent."""
    recorded = EmailOutbox()
    monkeypatch.setattr("market.orders.fulfilment.email_enqueue", recorded)
    return recorded


@pytest.fixture(autouse=True)
def _private_media_in_tmp(settings, tmp_path):
    settings.MARKET_PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")


@pytest.fixture(autouse=True)
def _sdr_rate(settings):
    """1 SDR = 2.00 AZN unless a test stores a rate: 300 SDR is then exactly 600.00 AZN."""
    settings.CUSTOMS_SDR_RATE_AZN = "2.00"

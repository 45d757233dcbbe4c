from decimal import Decimal
from pathlib import Path

import pytest

from market.core import cbar
from market.core.errors import DomainError
from market.core.models import ExchangeRate
from market.core.selectors import price_converter_get
from market.core.services import exchange_rates_record_bulletin

SAMPLE = Path(__file__).resolve().parents[2] / "market/core/fixtures/cbar-rates-2018-10-30.xml"


def test_cbar_bulletin_gives_azn_per_one_unit_of_each_currency():
    bulletin = cbar.parse_bulletin(SAMPLE.read_bytes())

    assert bulletin.date.isoformat() == "2018-10-30"
    assert bulletin.rates["USD"].rate == Decimal("1.7")
    assert bulletin.rates["EUR"].rate == Decimal("1.9348")


def test_cbar_nominal_of_100_is_divided_out():
    bulletin = cbar.parse_bulletin(SAMPLE.read_bytes())

    # The bulletin quotes 100 JPY; we store the price of one yen.
    assert bulletin.rates["JPY"].rate == Decimal("0.015084")


def test_a_document_that_is_not_a_bulletin_is_refused():
    with pytest.raises(cbar.BulletinError):
        cbar.parse_bulletin(b"<html><body>maintenance</body></html>")


@pytest.mark.django_db
def test_recording_the_same_bulletin_twice_changes_nothing():
    exchange_rates_record_bulletin(xml=SAMPLE.read_bytes())
    count = ExchangeRate.objects.count()

    exchange_rates_record_bulletin(xml=SAMPLE.read_bytes())

    assert ExchangeRate.objects.count() == count == 9  # every supported currency but AZN


@pytest.mark.django_db
def test_prices_convert_with_the_newest_rate_and_say_which(eur_rate):
    converter = price_converter_get(currency="EUR")

    assert converter.from_base(Decimal("100.00")).amount == Decimal("50.00")
    assert converter.rate == Decimal("2.0000")
    assert converter.source == "test"


@pytest.mark.django_db
def test_a_supported_currency_without_any_rate_is_refused_not_guessed():
    with pytest.raises(DomainError) as refused:
        price_converter_get(currency="GEL")
    assert refused.value.code == "no_exchange_rate"

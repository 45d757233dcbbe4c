"""Quotes read the delivery, duty and exchange-rate tables from the shared cache, and show a
change of them as soon as it commits, whoever made it (a service, the admin, a bulk update).

Berlin in EUR at 1 EUR = 2 AZN; a carpet of 400 AZN weighs 1200 g (the 5 kg band: 80 AZN,
40.00 EUR) and is HS chapter 57 (8 %, 16.00 EUR on 200.00 EUR of goods under DAP)."""

import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from market.checkout.pricing import checkout_quote
from market.core.cache import cache
from market.core.services import exchange_rates_record_bulletin
from market.demo.catalogue import RATES_BULLETIN
from market.shipping.models import DutyCountry, DutyRate, ShippingRate
from tests.conftest import service_required
from tests.factories import carpet, checkout_with, duty_country, rate, shipping_method

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal
REFERENCE_TABLE = re.compile(r'FROM "(shipping_\w+|core_exchangerate)"')
QUOTE = """
query ($token: UUID!) {
  checkoutQuote(token: $token) {
    shipping { amount } dutiesEstimate { amount }
    parts { deliveryOptions { shippingMethod { id } price { amount } } }
  }
}
"""


@pytest.fixture
def shared_cache(settings):
    service_required(bool(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://…")
    settings.REFERENCE_CACHE_SECONDS = 600


@pytest.fixture
def berlin(shared_cache):
    rate("EUR", "2")
    duty_country("DE", chapters={"57": "8"})
    method = shipping_method()
    checkout = checkout_with((carpet("400.00"), 1), incoterm="DAP", deliveries=[method])
    return checkout, method


def reference_tables_read(captured) -> list[str]:
    """The reference table each captured query reads (its FROM, not what it joins)."""
    return [t for q in captured for t in REFERENCE_TABLE.findall(q["sql"])]


def test_a_second_quote_reads_no_reference_table(gql, berlin):
    checkout, _ = berlin
    gql.execute(QUOTE, {"token": str(checkout.token)})

    with CaptureQueriesContext(connection) as captured:
        answer = gql.execute(QUOTE, {"token": str(checkout.token)})["checkoutQuote"]

    assert reference_tables_read(captured.captured_queries) == []
    assert answer["shipping"]["amount"] == "40.00"
    assert answer["dutiesEstimate"]["amount"] == "16.00"


def test_one_request_reads_each_reference_table_at_most_once_even_when_none_is_kept(gql, berlin):
    checkout, _ = berlin
    cache.delete("reference:version")

    with CaptureQueriesContext(connection) as captured:
        gql.execute(QUOTE, {"token": str(checkout.token)})

    tables = reference_tables_read(captured.captured_queries)
    assert tables and sorted(tables) == sorted(set(tables))


def test_a_band_saved_shows_in_the_next_quote(berlin):
    checkout, method = berlin
    assert checkout_quote(checkout=checkout).shipping == D("40.00")

    band = ShippingRate.objects.get(method=method, max_weight_grams=5000)
    band.price_amount = D("90.00")
    band.save()

    assert checkout_quote(checkout=checkout).shipping == D("45.00")


def test_a_band_changed_in_the_admin_shows_in_the_next_quote(berlin, staff_client):
    checkout, method = berlin
    assert checkout_quote(checkout=checkout).shipping == D("40.00")
    bands = list(method.rates.order_by("max_weight_grams"))
    form = {
        "zone": method.zone_id,
        "name": method.name,
        "carrier": method.carrier,
        "transit_days_min": method.transit_days_min,
        "transit_days_max": method.transit_days_max,
        "is_active": "on",
        "sort_order": 0,
        "rates-TOTAL_FORMS": len(bands),
        "rates-INITIAL_FORMS": len(bands),
        "rates-MIN_NUM_FORMS": 0,
        "rates-MAX_NUM_FORMS": 1000,
    }
    for i, band in enumerate(bands):
        price = "100.00" if band.max_weight_grams == 5000 else band.price_amount
        form |= {
            f"rates-{i}-id": band.pk,
            f"rates-{i}-method": method.pk,
            f"rates-{i}-max_weight_grams": band.max_weight_grams,
            f"rates-{i}-price_amount": price,
        }

    response = staff_client.post(
        reverse("admin:shipping_shippingmethod_change", args=[method.pk]), form
    )

    assert response.status_code == 302, response.content
    assert checkout_quote(checkout=checkout).shipping == D("50.00")


def test_a_bulk_update_of_a_duty_rate_shows_in_the_next_quote(berlin):
    checkout, _ = berlin
    assert checkout_quote(checkout=checkout).duties_estimate == D("16.00")

    DutyRate.objects.filter(duty_country__country="DE", hs_chapter="57").update(rate=D("10"))

    assert checkout_quote(checkout=checkout).duties_estimate == D("20.00")


def test_a_duty_row_deleted_shows_in_the_next_quote(berlin):
    checkout, _ = berlin
    assert checkout_quote(checkout=checkout).incoterms_offered == ["DAP", "DDP"]

    DutyCountry.objects.get(country="DE").delete()

    quote = checkout_quote(checkout=checkout)
    assert (quote.incoterms_offered, quote.duties_estimate) == (["DAP"], D("0.00"))


def test_a_rate_recorded_by_the_rates_service_shows_in_the_next_quote(berlin):
    checkout, _ = berlin
    assert checkout_quote(checkout=checkout).converter.rate == D("2")

    exchange_rates_record_bulletin(
        xml=RATES_BULLETIN.read_bytes(), source="sample", valid_at=timezone.now()
    )

    assert checkout_quote(checkout=checkout).converter.rate == D("1.9348")


def test_a_change_rolled_back_is_seen_only_by_its_own_transaction(berlin):
    checkout, method = berlin
    assert checkout_quote(checkout=checkout).shipping == D("40.00")

    with pytest.raises(RuntimeError), transaction.atomic():
        ShippingRate.objects.filter(method=method, max_weight_grams=5000).update(
            price_amount=D("90.00")
        )
        assert checkout_quote(checkout=checkout).shipping == D("45.00")
        raise RuntimeError("staff's change fails")

    assert checkout_quote(checkout=checkout).shipping == D("40.00")


def test_with_the_shared_cache_down_quotes_read_the_tables(berlin, request):
    checkout, method = berlin
    assert checkout_quote(checkout=checkout).shipping == D("40.00")
    request.getfixturevalue("redis_down")

    assert checkout_quote(checkout=checkout).shipping == D("40.00")
    # Its version cannot move now: a quote reads the tables, not a process's memory.
    ShippingRate.objects.filter(method=method, max_weight_grams=5000).update(
        price_amount=D("90.00")
    )
    assert checkout_quote(checkout=checkout).shipping == D("45.00")

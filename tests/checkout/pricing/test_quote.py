"""The quote: converted prices, shipping by weight band, VAT at home, duties abroad, rounding.

Berlin buyers pay in EUR at 1 EUR = 1.9 AZN unless a test says otherwise; a carpet weighs
1200 g, is HS 570110 (chapter 57: 8 % into the EU) and costs 300 AZN."""

from decimal import Decimal

import pytest

from market.checkout.pricing import checkout_quote
from tests.factories import (
    SellerFactory,
    carpet,
    checkout_with,
    duty_country,
    rate,
    shipping_method,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def berlin():
    rate("EUR", "1.9")
    duty_country("DE", chapters={"57": "8", "71": "2.5"})
    return shipping_method()


def test_berlin_buyer_sees_prices_and_shipping_converted_into_euros(berlin):
    checkout = checkout_with((carpet("300.00"), 1), deliveries=[berlin])

    quote = checkout_quote(checkout=checkout)

    (part,) = quote.parts
    assert (part.lines[0].unit_price_base, part.lines[0].unit_price) == (D("300.00"), D("157.89"))
    assert part.weight_grams == 1200
    assert part.shipping_method == berlin
    assert (quote.currency, quote.subtotal, quote.shipping) == ("EUR", D("157.89"), D("42.11"))
    assert quote.converter.rate == D("1.9")


def test_export_is_zero_rated(berlin):
    quote = checkout_quote(checkout=checkout_with((carpet(), 1), deliveries=[berlin]))

    assert (quote.domestic, quote.vat, quote.parts[0].vat) == (False, D("0.00"), D("0.00"))


def test_under_dap_duties_over_de_minimis_are_estimated_and_not_added(berlin):
    checkout = checkout_with((carpet("300.00"), 1), incoterm="DAP", deliveries=[berlin])

    quote = checkout_quote(checkout=checkout)

    assert quote.incoterm == "DAP"
    assert (quote.duties, quote.duties_estimate) == (D("0.00"), D("12.63"))
    assert quote.total == D("200.00")  # 157.89 + 42.11
    assert quote.total_base == D("380.00")


def test_without_an_incoterm_chosen_an_export_is_quoted_dap(berlin):
    quote = checkout_quote(checkout=checkout_with((carpet(), 1), deliveries=[berlin]))

    assert (quote.incoterm, quote.duties_estimate, quote.total) == ("DAP", D("12.63"), D("200.00"))
    assert quote.incoterms_offered == ["DAP", "DDP"]


def test_under_ddp_duties_are_collected_and_added_to_the_total(berlin):
    checkout = checkout_with((carpet("300.00"), 1), incoterm="DDP", deliveries=[berlin])

    quote = checkout_quote(checkout=checkout)

    assert (quote.duties, quote.duties_estimate) == (D("12.63"), D("0.00"))
    assert quote.total == D("212.63")
    assert quote.parts[0].total == D("212.63")


def test_goods_at_or_under_de_minimis_pay_no_duty(berlin):
    # 285 AZN = 150.00 EUR exactly: at the threshold, still free.
    checkout = checkout_with((carpet("285.00"), 1), incoterm="DDP", deliveries=[berlin])

    quote = checkout_quote(checkout=checkout)

    assert quote.subtotal == D("150.00")
    assert (quote.duties, quote.duties_estimate) == (D("0.00"), D("0.00"))


def test_one_cent_over_de_minimis_the_whole_value_pays_duty(berlin):
    # 285.02 AZN = 150.0105 EUR → 150.01 EUR: over the threshold; 8 % of 150.01 = 12.0008.
    checkout = checkout_with((carpet("285.02"), 1), incoterm="DDP", deliveries=[berlin])

    assert checkout_quote(checkout=checkout).duties == D("12.00")


def test_de_minimis_applies_to_each_sellers_parcel_alone(berlin):
    # Two parcels of 105.26 EUR: together over 150 EUR, each under it.
    first, second = carpet("200.00"), carpet("200.00")
    checkout = checkout_with((first, 1), (second, 1), incoterm="DDP", deliveries=[berlin, berlin])

    quote = checkout_quote(checkout=checkout)

    assert len(quote.parts) == 2
    assert quote.subtotal == D("210.52")
    assert quote.duties == D("0.00")


def test_each_line_pays_its_hs_chapters_rate_rounded_once_per_part(berlin):
    seller = SellerFactory()
    rug = carpet("300.00", seller=seller)  # 157.89 EUR × 8 %
    ring = carpet("100.00", seller=seller, hs_code="711319")  # 52.63 EUR × 2.5 %
    checkout = checkout_with((rug, 1), (ring, 1), incoterm="DDP", deliveries=[berlin])

    quote = checkout_quote(checkout=checkout)

    # 12.6312 + 1.31575 = 13.94695 → 13.95
    assert quote.duties == D("13.95")


def test_a_chapter_without_its_own_rate_and_a_product_without_hs_code_pay_the_default(berlin):
    seller = SellerFactory()
    pot = carpet("300.00", seller=seller, hs_code="691390")  # no row for 69: default 4 %
    print_ = carpet("100.00", seller=seller, hs_code="")  # no HS code: default 4 %
    checkout = checkout_with((pot, 1), (print_, 1), incoterm="DDP", deliveries=[berlin])

    # (157.89 + 52.63) × 4 % = 8.4208
    assert checkout_quote(checkout=checkout).duties == D("8.42")


def test_destination_without_a_duty_row_has_no_duties_and_only_dap(berlin):
    berlin.zone.countries = ["DE", "FR"]
    berlin.zone.save()
    checkout = checkout_with(
        (carpet("3000.00"), 1), country="FR", incoterm="DDP", deliveries=[berlin]
    )

    quote = checkout_quote(checkout=checkout)

    assert (quote.duties, quote.duties_estimate) == (D("0.00"), D("0.00"))
    assert (quote.incoterm, quote.incoterms_offered) == ("DAP", ["DAP"])


def test_de_minimis_in_the_base_currency_needs_no_rate(berlin):
    from market.shipping.models import DutyCountry

    DutyCountry.objects.filter(country="DE").update(
        de_minimis_amount=D("299.99"), de_minimis_currency="AZN"
    )
    checkout = checkout_with((carpet("300.00"), 1), incoterm="DDP", deliveries=[berlin])

    assert checkout_quote(checkout=checkout).duties == D("12.63")


def test_de_minimis_in_a_third_currency_uses_its_latest_rate(berlin):
    from market.shipping.models import DutyCountry

    rate("USD", "1.7")  # 300 AZN = 176.47 USD
    DutyCountry.objects.filter(country="DE").update(
        de_minimis_amount=D("176.47"), de_minimis_currency="USD"
    )
    at_threshold = checkout_with((carpet("300.00"), 1), incoterm="DDP", deliveries=[berlin])
    assert checkout_quote(checkout=at_threshold).duties == D("0.00")

    DutyCountry.objects.filter(country="DE").update(de_minimis_amount=D("176.46"))
    assert checkout_quote(checkout=at_threshold).duties == D("12.63")


def test_baku_buyer_pays_vat_included_and_no_duties():
    home = shipping_method(
        zone="Azerbaijan", countries=["AZ"], bands=[(1000, "5.00"), (5000, "8.00")], transit=(1, 3)
    )
    checkout = checkout_with((carpet("300.00"), 1), currency="AZN", country="AZ", deliveries=[home])

    quote = checkout_quote(checkout=checkout)

    assert (quote.subtotal, quote.shipping, quote.total) == (D("300.00"), D("8.00"), D("308.00"))
    # 308 × 18 / 118 = 46.983… — shown, never added.
    assert quote.vat == quote.parts[0].vat == D("46.98")
    assert (quote.duties, quote.duties_estimate) == (D("0.00"), D("0.00"))
    assert (quote.domestic, quote.incoterm, quote.incoterms_offered) == (True, "", [])
    assert quote.total_base == D("308.00")
    assert quote.converter.source == "base"


def test_yen_amounts_have_no_decimals():
    rate("JPY", "0.0113")
    duty_country("JP", de_minimis="10000", currency="JPY", default_rate="5", chapters={"57": "6.6"})
    tokyo = shipping_method(
        zone="Rest of the world", countries=["JP"], bands=[(1000, "45.00"), (5000, "110.00")]
    )
    checkout = checkout_with(
        (carpet("300.00"), 1), currency="JPY", country="JP", incoterm="DDP", deliveries=[tokyo]
    )

    quote = checkout_quote(checkout=checkout)

    # 300 / 0.0113 = 26548.67 → 26549; 110 / 0.0113 = 9734.51 → 9735; 6.6 % → 1752.234 → 1752
    assert (quote.subtotal, quote.shipping, quote.duties) == (D("26549"), D("9735"), D("1752"))
    assert quote.total == D("38036")
    assert str(quote.total) == "38036"


def test_shipping_band_is_the_smallest_that_carries_the_parcels_weight(berlin):
    two = checkout_with((carpet(weight=1200), 2), deliveries=[berlin])  # 2400 g
    five = checkout_with((carpet(weight=1200), 5), deliveries=[berlin])  # 6000 g

    assert checkout_quote(checkout=two).shipping == D("42.11")  # 80 AZN
    assert checkout_quote(checkout=five).shipping == D("73.68")  # 140 AZN


def test_a_product_without_weight_counts_as_500_grams(berlin):
    light = checkout_with((carpet(weight=None), 2), deliveries=[berlin])  # 1000 g
    heavier = checkout_with((carpet(weight=None), 3), deliveries=[berlin])  # 1500 g

    assert checkout_quote(checkout=light).parts[0].weight_grams == 1000
    assert checkout_quote(checkout=light).shipping == D("18.42")  # 35 AZN
    assert checkout_quote(checkout=heavier).shipping == D("42.11")  # 80 AZN


def test_a_chosen_method_that_no_longer_carries_the_weight_counts_as_none(berlin):
    checkout = checkout_with((carpet(weight=4000), 3), deliveries=[berlin])  # 12 kg

    quote = checkout_quote(checkout=checkout)

    assert quote.parts[0].shipping_method is None
    assert quote.parts[0].delivery_options == []
    assert quote.shipping == D("0.00")


def test_until_the_destination_is_known_the_quote_shows_goods_only(berlin):
    checkout = checkout_with((carpet("300.00"), 1), country="")

    quote = checkout_quote(checkout=checkout)

    assert (quote.subtotal, quote.shipping, quote.vat, quote.duties_estimate, quote.total) == (
        D("157.89"),
        D("0.00"),
        D("0.00"),
        D("0.00"),
        D("157.89"),
    )
    assert (quote.incoterm, quote.domestic) == ("", False)


def test_ddp_chosen_earlier_is_quoted_dap_where_ddp_is_not_offered(berlin):
    duty_country("FR", ddp=False)
    checkout = checkout_with(
        (carpet("300.00"), 1), country="FR", incoterm="DDP", deliveries=[berlin]
    )

    quote = checkout_quote(checkout=checkout)

    assert (quote.incoterm, quote.duties, quote.duties_estimate) == ("DAP", D("0.00"), D("12.63"))


def test_parts_are_priced_per_seller_and_add_up_to_the_totals(berlin):
    express = shipping_method(name="Express", bands=[(5000, "150.00")], transit=(2, 4))
    first, second = carpet("300.00", processing_days=2), carpet("120.00", processing_days=6)
    checkout = checkout_with((first, 1), (second, 2), incoterm="DDP", deliveries=[berlin, express])

    quote = checkout_quote(checkout=checkout)

    one, two = quote.parts
    assert (one.seller, two.seller) == (first.product.seller, second.product.seller)
    assert (one.subtotal, one.shipping, one.duties, one.total) == (
        D("157.89"),
        D("42.11"),
        D("12.63"),
        D("212.63"),
    )
    # 2 × 63.16 = 126.32 EUR (≤ 150: no duty); 150 AZN express = 78.95 EUR
    assert (two.subtotal, two.shipping, two.duties, two.total) == (
        D("126.32"),
        D("78.95"),
        D("0.00"),
        D("205.27"),
    )
    assert (two.delivery_days_min, two.delivery_days_max) == (8, 10)
    assert quote.total == D("417.90") == one.total + two.total


def test_a_quote_takes_a_fixed_number_of_queries_whatever_the_lines(
    berlin, django_assert_num_queries
):
    seller = SellerFactory()
    checkout = checkout_with(
        *[(carpet(**({"seller": seller} if i % 2 else {})), 1) for i in range(6)],
        incoterm="DDP",
        deliveries=[berlin] * 6,
    )

    # lines, zones, methods, bands, chosen methods, duty row, its chapter rates, EUR rate
    with django_assert_num_queries(8):
        checkout_quote(checkout=checkout)

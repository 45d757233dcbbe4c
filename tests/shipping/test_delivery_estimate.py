"""A product's delivery and duties estimate (``product.deliveryEstimate``): what sending one
item alone to a country would cost, by the checkout's own rules, before anything is in a cart."""

from decimal import Decimal

import pytest

from tests.factories import duty_country, listed_product, rate, shipping_method

pytestmark = pytest.mark.django_db

ESTIMATE = """
query Estimate($country: String!, $currency: String, $estimateCurrency: String) {
  product(slug: "kilim", currency: $currency) {
    deliveryEstimate(country: $country, currency: $estimateCurrency) {
      country { code }
      isServed
      isDomestic
      incotermsOffered
      duties { amount currency }
      options {
        shippingMethod { name }
        price { amount currency }
        deliveryDaysMin
        deliveryDaysMax
      }
    }
  }
}
"""


@pytest.fixture
def kilim():
    rate("EUR", "2.0000")
    shipping_method(countries=["DE", "FR"], name="Standard", transit=(7, 14))
    shipping_method(countries=["DE", "FR"], name="Express", transit=(2, 4), bands=[(1000, "90")])
    duty_country("DE", de_minimis="150", currency="EUR", chapters={"57": "8"})
    return listed_product(
        slug="kilim",
        prices=(Decimal("400.00"), Decimal("600.00")),
        weight_grams=1200,
        hs_code="570110",
        processing_days=3,
    )


def estimate(gql, country, **variables):
    data = gql.execute(ESTIMATE, {"country": country, **variables})
    return data["product"]["deliveryEstimate"]


def test_an_export_lists_the_methods_that_carry_it_with_duties_in_the_asked_currency(gql, kilim):
    found = estimate(gql, "de", currency="EUR")

    # 1,200 g: the Standard 5 kg band (80 AZN = 40 EUR); Express carries 1 kg at most.
    assert found["options"] == [
        {
            "shippingMethod": {"name": "Standard"},
            "price": {"amount": "40.00", "currency": "EUR"},
            "deliveryDaysMin": 10,
            "deliveryDaysMax": 17,
        }
    ]
    assert found["country"] == {"code": "DE"}
    assert (found["isServed"], found["isDomestic"]) == (True, False)
    assert found["incotermsOffered"] == ["DAP", "DDP"]
    # The cheapest version, 400 AZN = 200 EUR, is over the 150 EUR de minimis: 8 % of chapter 57.
    assert found["duties"] == {"amount": "16.00", "currency": "EUR"}


def test_an_item_under_the_de_minimis_pays_no_duty(gql, kilim):
    kilim.variants.update(price_amount=Decimal("200.00"))
    kilim.price_min_amount = Decimal("200.00")
    kilim.save()

    assert estimate(gql, "DE", currency="EUR")["duties"] == {"amount": "0.00", "currency": "EUR"}


def test_the_estimate_may_ask_for_its_own_currency(gql, kilim):
    found = estimate(gql, "DE", estimateCurrency="EUR")

    assert found["options"][0]["price"] == {"amount": "40.00", "currency": "EUR"}


def test_a_country_we_do_not_serve_has_no_options_and_unknown_duties(gql, kilim):
    found = estimate(gql, "US")

    assert found["isServed"] is False
    assert found["options"] == []
    assert found["incotermsOffered"] == ["DAP"]
    assert found["duties"] is None


def test_at_home_there_is_no_incoterm_and_no_duty(gql, kilim):
    shipping_method(zone="Home", countries=["AZ"], name="Courier", transit=(1, 2))

    found = estimate(gql, "AZ")

    assert found["isDomestic"] is True
    assert found["incotermsOffered"] == []
    assert found["duties"] == {"amount": "0.00", "currency": "AZN"}
    assert [o["shippingMethod"]["name"] for o in found["options"]] == ["Courier"]


def test_an_item_that_is_not_exported_reaches_no_other_country(gql, kilim):
    kilim.is_exportable = False
    kilim.save()

    found = estimate(gql, "DE")

    assert found["isServed"] is False
    assert found["options"] == []


def test_a_country_that_is_not_a_country_is_refused(gql, kilim):
    body = gql.post(ESTIMATE, {"country": "Germany"}).json()

    assert body["data"]["product"] is None
    assert body["errors"][0]["extensions"]["field"] == "country"


def test_a_listing_with_no_price_yet_has_options_and_unknown_duties(kilim):
    """A seller's draft with no priced variant is shown to its seller with the same type."""
    from market.core.selectors import price_converter_get
    from market.shipping.selectors import delivery_estimate

    found = delivery_estimate(
        country="DE",
        weight_grams=1200,
        processing_days=3,
        price_base=None,
        hs_code="570110",
        exportable=True,
        converter=price_converter_get(currency="EUR"),
    )

    assert [option.method.name for option in found.options] == ["Standard"]
    assert found.duties is None

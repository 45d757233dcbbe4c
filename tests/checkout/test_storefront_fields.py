"""API fields the storefront's pages needed: an address's rules per country, what stops a
checkout line from being bought, and the addresses a buyer's orders used."""

import pytest
from graphql_relay import to_global_id

from market.checkout.completion import checkout_complete
from market.checkout.models import StockReservation
from tests.checkout.helpers import variant_in_stock
from tests.factories import BERLIN, UserFactory, euro_rate, ready_checkout, shipping_to

pytestmark = pytest.mark.django_db

FORMAT = """query ($country: String!) { addressFormat(country: $country) {
  country { code } postalCodeUsed postalCodeRequired postalCodeExample } }"""
LINES = """query ($token: UUID!) { checkout(token: $token) {
  lines { quantity quantityAvailable problem { code message quantityAvailable } } } }"""
CREATE = """mutation ($variant: ID!, $quantity: Int!) { checkoutCreate(input: {lines: [
  {variantId: $variant, quantity: $quantity}]}) { checkout { token } errors { code } } }"""


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        (
            "de",
            {
                "country": {"code": "DE"},
                "postalCodeUsed": True,
                "postalCodeRequired": True,
                "postalCodeExample": "10115",
            },
        ),
        (
            "FR",
            {
                "country": {"code": "FR"},
                "postalCodeUsed": True,
                "postalCodeRequired": False,
                "postalCodeExample": "",
            },
        ),
        (
            "AE",
            {
                "country": {"code": "AE"},
                "postalCodeUsed": False,
                "postalCodeRequired": False,
                "postalCodeExample": "",
            },
        ),
    ],
)
def test_address_format_says_what_the_address_checks_ask(gql, country, expected):
    assert gql.execute(FORMAT, {"country": country})["addressFormat"] == expected


def test_address_format_of_a_code_that_is_no_country_is_null(gql):
    assert gql.execute(FORMAT, {"country": "XX"})["addressFormat"] is None


def test_a_line_that_can_be_bought_has_no_problem(gql):
    variant = variant_in_stock(3)
    token = gql.execute(
        CREATE, {"variant": to_global_id("ProductVariant", variant.pk), "quantity": 2}
    )["checkoutCreate"]["checkout"]["token"]

    [line] = gql.execute(LINES, {"token": token})["checkout"]["lines"]

    assert line == {"quantity": 2, "quantityAvailable": 3, "problem": None}


def test_a_line_whose_last_unit_another_buyer_took_says_so(gql):
    euro_rate()
    shipping_to("DE")
    variant = variant_in_stock(1)
    token = gql.execute(
        CREATE, {"variant": to_global_id("ProductVariant", variant.pk), "quantity": 1}
    )["checkoutCreate"]["checkout"]["token"]
    StockReservation.objects.filter(checkout__token=token).delete()  # my hold lapsed
    other = ready_checkout(lines=[(variant, 1)])
    checkout_complete(token=other.token, idempotency_key="other")

    [line] = gql.execute(LINES, {"token": token})["checkout"]["lines"]

    assert line["problem"] == {
        "code": "OUT_OF_STOCK",
        "message": "Sold out: another buyer took the last one meanwhile; remove it to check out.",
        "quantityAvailable": 0,
    }


def test_a_line_of_a_product_taken_off_sale_says_so(gql):
    variant = variant_in_stock(3)
    token = gql.execute(
        CREATE, {"variant": to_global_id("ProductVariant", variant.pk), "quantity": 1}
    )["checkoutCreate"]["checkout"]["token"]
    variant.product.status = "draft"
    variant.product.save(update_fields=["status"])

    [line] = gql.execute(LINES, {"token": token})["checkout"]["lines"]

    assert line["problem"]["code"] == "VARIANT_NOT_AVAILABLE"


def test_me_lists_the_addresses_of_the_buyers_orders_once_each(gql_as):
    euro_rate()
    shipping_to("DE")
    user = UserFactory()
    for key in ("first", "second"):
        checkout = ready_checkout(lines=[(variant_in_stock(2), 1)], user=user)
        checkout_complete(token=checkout.token, idempotency_key=key, user=user)
    ready_checkout(
        lines=[(variant_in_stock(2), 1)],
        address={**BERLIN, "city": "Potsdam", "postal_code": "14467"},
    )

    me = gql_as(user).execute("{ me { addresses { city postalCode country { code } } } }")["me"]

    assert me["addresses"] == [{"city": "Berlin", "postalCode": "10115", "country": {"code": "DE"}}]

"""What the storefront's checkout and payment steps cost in SQL, pinned: a change that reads
the same rows again, loads what the storefront does not show, or reads a row per line shows
here (bench/load.py measures what these counts cost under load).

The delivery, duty and exchange-rate tables are read as in production: committed, and kept in
the shared cache once a quote has read them (``warm_reference_tables``), so a step reads none
of them; without Redis each step reads each of them once."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from graphql_relay import to_global_id

from market.checkout.models import CheckoutDelivery
from market.core.selectors import price_converter_get
from market.orders.models import Order, OrderStatus
from market.shipping.selectors import duty_country_get, shipping_methods_for_country
from tests.factories import (
    ExchangeRateFactory,
    key,
    listed_product,
    ready_checkout,
    seller_with_variant,
    shipping_to,
)

# Committed rows: a transaction that changed the reference tables reads them itself.
pytestmark = pytest.mark.django_db(transaction=True)

OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations" / "storefront"
COMPLETE = (OPERATIONS / "CheckoutComplete.graphql").read_text()
DELIVERY = (OPERATIONS / "CheckoutDeliveryUpdate.graphql").read_text()
PAY = (OPERATIONS / "OrderPay.graphql").read_text()
CREATE_FOR_TOKEN = """
mutation ($input: CheckoutCreateInput!) {
  checkoutCreate(input: $input) { checkout { token } errors { field code message } }
}
"""
BERLIN = {
    "name": "Lena Hoffmann",
    "streetAddress1": "Torstraße 1",
    "city": "Berlin",
    "postalCode": "10119",
    "country": "DE",
}
TEST_CARD = "4242424242424242"


@pytest.fixture(autouse=True)
def _euro_rate(db):
    ExchangeRateFactory(currency="EUR", rate=Decimal("2.0000"))


def warm_reference_tables() -> None:
    """What the shop's earlier quotes to Berlin in euros left in the shared cache."""
    shipping_methods_for_country("DE")
    duty_country_get("DE")
    price_converter_get(currency="EUR")


def pinned(*, cached: int, uncached: int) -> int:
    """The pinned count: with the reference tables kept in Redis, or read once per request."""
    return cached if settings.REFERENCE_CACHE_SECONDS > 0 else uncached


def _one_sellers_checkout(lines: int):
    seller, first = seller_with_variant(stock=10)
    variants = [first] + [
        listed_product(seller=seller, stock=10).variants.get() for _ in range(lines - 1)
    ]
    return ready_checkout(lines=[(variant, 1) for variant in variants])


def _complete(gql, checkout) -> dict:
    return gql.execute(COMPLETE, {"token": str(checkout.token), "idempotencyKey": key()})[
        "checkoutComplete"
    ]


def test_placing_an_order_costs_a_fixed_number_of_queries_whatever_its_lines(
    gql, django_assert_max_num_queries, django_assert_num_queries
):
    one, three = _one_sellers_checkout(1), _one_sellers_checkout(3)
    warm_reference_tables()

    with django_assert_max_num_queries(pinned(cached=24, uncached=29)) as counted:
        placed = _complete(gql, one)
    with django_assert_num_queries(len(counted.captured_queries)):
        placed_three = _complete(gql, three)

    assert placed["errors"] == [] and placed_three["errors"] == []
    assert Order.objects.get(token=placed_three["order"]["token"]).number.startswith("CM-")


def test_choosing_a_delivery_from_the_storefront_does_not_load_the_checkout_to_show_it(
    gql, django_assert_max_num_queries
):
    checkout = _one_sellers_checkout(2)
    seller_id = checkout.lines.first().variant.product.seller_id
    CheckoutDelivery.objects.filter(checkout=checkout).delete()
    method = shipping_to("DE")
    warm_reference_tables()

    with django_assert_max_num_queries(pinned(cached=12, uncached=17)):
        answer = gql.execute(
            DELIVERY,
            {
                "token": str(checkout.token),
                "sellerId": to_global_id("Seller", seller_id),
                "shippingMethodId": to_global_id("ShippingMethod", method.pk),
            },
        )["checkoutDeliveryMethodUpdate"]

    assert answer["errors"] == []
    assert CheckoutDelivery.objects.get(checkout=checkout).shipping_method_id == method.pk


def test_paying_from_the_storefront_reads_the_orders_row_alone(gql, django_assert_max_num_queries):
    order_token = _complete(gql, _one_sellers_checkout(2))["order"]["token"]
    warm_reference_tables()

    with django_assert_max_num_queries(36):
        answer = gql.execute(
            PAY, {"token": order_token, "card": TEST_CARD, "idempotencyKey": key()}
        )["orderPaymentCreate"]

    assert answer["errors"] == []
    assert answer["payment"]["status"] == "SUCCEEDED"
    assert Order.objects.get(token=order_token).status == OrderStatus.PAID


def test_a_checkout_asked_only_for_its_token_is_not_loaded_again(
    gql, django_assert_max_num_queries
):
    _, variant = seller_with_variant(stock=10)
    line = {"variantId": to_global_id("ProductVariant", variant.pk), "quantity": 1}
    warm_reference_tables()

    with django_assert_max_num_queries(pinned(cached=10, uncached=11)):
        answer = gql.execute(
            CREATE_FOR_TOKEN,
            {
                "input": {
                    "email": "buyer@example.com",
                    "currency": "EUR",
                    "lines": [line],
                    "shippingAddress": BERLIN,
                }
            },
        )["checkoutCreate"]

    assert answer["errors"] == []
    assert answer["checkout"]["token"]

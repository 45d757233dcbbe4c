"""The checkout API from the outside: guests and signed-in buyers holding a token."""

import datetime as dt

import pytest
from django.utils import timezone
from graphql_relay import to_global_id

from market.checkout.models import Checkout, StockReservation
from tests.checkout.helpers import snapshot, variant_in_stock
from tests.factories import (
    ProductImageFactory,
    SellerFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHECKOUT_FIELDS = """
    token email currency expiresAt isGuest
    shippingAddress { name streetAddress1 city postalCode country { code name } phone }
    billingAddress { country { code } }
    lines { id variant { id sku name } productName sellerName quantity quantityAvailable
            reservedUntil product { name images { alt } } }
"""
CREATE = (
    "mutation ($input: CheckoutCreateInput!) { checkoutCreate(input: $input) { checkout { "
    + CHECKOUT_FIELDS
    + " } errors { field code message } } }"
)
LINES_ADD = """mutation ($token: UUID!, $lines: [CheckoutLineInput!]!) {
  checkoutLinesAdd(token: $token, lines: $lines) {
    checkout { lines { quantity } } errors { field code message } } }"""
LINE_UPDATE = """mutation ($token: UUID!, $variantId: ID!, $quantity: Int!) {
  checkoutLineUpdate(token: $token, variantId: $variantId, quantity: $quantity) {
    checkout { lines { quantity } } errors { field code message } } }"""
LINE_DELETE = """mutation ($token: UUID!, $variantId: ID!) {
  checkoutLineDelete(token: $token, variantId: $variantId) {
    checkout { lines { quantity } } errors { field code message } } }"""
EMAIL_UPDATE = """mutation ($token: UUID!, $email: String!) {
  checkoutEmailUpdate(token: $token, email: $email) {
    checkout { email } errors { field code message } } }"""
SHIPPING_UPDATE = """mutation ($token: UUID!, $address: AddressInput!) {
  checkoutShippingAddressUpdate(token: $token, address: $address) {
    checkout { shippingAddress { postalCode country { code } } } errors { field code message }
  } }"""
BILLING_UPDATE = """mutation ($token: UUID!, $address: AddressInput!) {
  checkoutBillingAddressUpdate(token: $token, address: $address) {
    checkout { billingAddress { country { code } } } errors { field code message } } }"""
CURRENCY_UPDATE = """mutation ($token: UUID!, $currency: String!) {
  checkoutCurrencyUpdate(token: $token, currency: $currency) {
    checkout { currency } errors { field code message } } }"""
QUERY = "query ($token: UUID!) { checkout(token: $token) { " + CHECKOUT_FIELDS + " } }"

BAKU = {
    "name": "Leyla Mammadova",
    "streetAddress1": "Nizami 10",
    "city": "Baku",
    "postalCode": "az1000",
    "country": "AZ",
    "phone": "+994 12 345 67 89",
}


def vid(variant) -> str:
    return to_global_id("ProductVariant", variant.pk)


def create(client, **input):
    return client.execute(CREATE, {"input": input})["checkoutCreate"]


def test_a_guest_creates_a_checkout_with_lines_and_an_address(gql):
    variant = variant_in_stock(stock=5)

    payload = create(
        gql,
        email="guest@example.com",
        shippingAddress=BAKU,
        lines=[{"variantId": vid(variant), "quantity": 2}],
    )

    checkout = payload["checkout"]
    assert payload["errors"] == []
    assert (checkout["email"], checkout["currency"], checkout["isGuest"]) == (
        "guest@example.com",
        "AZN",
        True,
    )
    assert checkout["shippingAddress"] == {
        "name": "Leyla Mammadova",
        "streetAddress1": "Nizami 10",
        "city": "Baku",
        "postalCode": "AZ 1000",
        "country": {"code": "AZ", "name": "Azerbaijan"},
        "phone": "+994 12 345 67 89",
    }
    [line] = checkout["lines"]
    assert (
        line["variant"]["sku"],
        line["productName"],
        line["sellerName"],
        line["quantity"],
        line["quantityAvailable"],
    ) == (variant.sku, variant.product.name, variant.product.seller.name, 2, 5)
    assert line["reservedUntil"] is not None
    assert Checkout.objects.get().user is None


def test_a_signed_in_buyers_checkout_records_the_buyer(gql_as):
    buyer = UserFactory(email="buyer@example.com")

    checkout = create(gql_as(buyer))["checkout"]

    assert (checkout["email"], checkout["isGuest"]) == ("buyer@example.com", False)
    assert Checkout.objects.get().user == buyer


def test_create_refuses_a_bad_line_with_its_position_and_creates_nothing(gql):
    variant = variant_in_stock(stock=1)

    payload = create(
        gql,
        lines=[
            {"variantId": vid(variant), "quantity": 1},
            {"variantId": "bm9wZTox", "quantity": 1},
        ],
    )

    assert payload == {
        "checkout": None,
        "errors": [
            {
                "field": "lines.1.variantId",
                "code": "VARIANT_NOT_AVAILABLE",
                "message": "This item is not available.",
            }
        ],
    }
    assert (Checkout.objects.count(), StockReservation.objects.count()) == (0, 0)


def test_create_refuses_more_input_lines_than_the_cap(gql, settings):
    settings.CHECKOUT_MAX_LINES = 2
    variant = variant_in_stock()

    payload = create(gql, lines=[{"variantId": vid(variant), "quantity": 1}] * 3)

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("lines", "TOO_MANY_LINES")]
    assert Checkout.objects.count() == 0


def test_a_foreign_address_is_checked_for_its_country(gql):
    payload = create(gql, shippingAddress={**BAKU, "country": "DE", "postalCode": "AZ 1000"})

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("shippingAddress.postalCode", "INVALID_ADDRESS")
    ]


def test_the_line_mutations_add_update_and_delete(gql):
    variant = variant_in_stock(stock=5)
    token = create(gql)["checkout"]["token"]

    added = gql.execute(
        LINES_ADD,
        {
            "token": token,
            "lines": [
                {"variantId": vid(variant), "quantity": 1},
                {"variantId": vid(variant), "quantity": 2},
            ],
        },
    )
    updated = gql.execute(LINE_UPDATE, {"token": token, "variantId": vid(variant), "quantity": 4})
    deleted = gql.execute(LINE_DELETE, {"token": token, "variantId": vid(variant)})

    assert added["checkoutLinesAdd"]["checkout"]["lines"] == [{"quantity": 3}]
    assert updated["checkoutLineUpdate"]["checkout"]["lines"] == [{"quantity": 4}]
    assert deleted["checkoutLineDelete"] == {"checkout": {"lines": []}, "errors": []}
    assert StockReservation.objects.count() == 0


def test_insufficient_stock_names_the_line_and_leaves_the_checkout_as_it_was(gql):
    variant = variant_in_stock(stock=2)
    token = create(gql, lines=[{"variantId": vid(variant), "quantity": 1}])["checkout"]["token"]
    before = snapshot(Checkout.objects.get())

    payload = gql.execute(LINE_UPDATE, {"token": token, "variantId": vid(variant), "quantity": 3})[
        "checkoutLineUpdate"
    ]

    assert payload == {
        "checkout": None,
        "errors": [
            {"field": "quantity", "code": "INSUFFICIENT_STOCK", "message": "Only 2 left in stock."}
        ],
    }
    assert snapshot(Checkout.objects.get()) == before


def test_email_addresses_and_currency_are_updated(gql, eur_rate):
    token = create(gql)["checkout"]["token"]

    email = gql.execute(EMAIL_UPDATE, {"token": token, "email": "a@example.com"})
    shipping = gql.execute(
        SHIPPING_UPDATE,
        {"token": token, "address": {**BAKU, "country": "JP", "postalCode": "1000001"}},
    )
    billing = gql.execute(
        BILLING_UPDATE, {"token": token, "address": {**BAKU, "country": "AE", "postalCode": None}}
    )
    currency = gql.execute(CURRENCY_UPDATE, {"token": token, "currency": "EUR"})

    assert email["checkoutEmailUpdate"]["checkout"] == {"email": "a@example.com"}
    assert shipping["checkoutShippingAddressUpdate"]["checkout"] == {
        "shippingAddress": {"postalCode": "100-0001", "country": {"code": "JP"}}
    }
    assert billing["checkoutBillingAddressUpdate"]["checkout"] == {
        "billingAddress": {"country": {"code": "AE"}}
    }
    assert currency["checkoutCurrencyUpdate"]["checkout"] == {"currency": "EUR"}
    assert Checkout.objects.get().shipping_country == "JP"


def test_a_currency_we_do_not_sell_in_is_refused(gql):
    token = create(gql)["checkout"]["token"]

    payload = gql.execute(CURRENCY_UPDATE, {"token": token, "currency": "XYZ"})

    assert [(e["field"], e["code"]) for e in payload["checkoutCurrencyUpdate"]["errors"]] == [
        ("currency", "UNKNOWN_CURRENCY")
    ]
    assert Checkout.objects.get().currency == "AZN"


MUTATIONS = [
    (LINES_ADD, lambda v: {"lines": [{"variantId": vid(v), "quantity": 1}]}),
    (LINE_UPDATE, lambda v: {"variantId": vid(v), "quantity": 2}),
    (LINE_DELETE, lambda v: {"variantId": vid(v)}),
    (EMAIL_UPDATE, lambda v: {"email": "new@example.com"}),
    (SHIPPING_UPDATE, lambda v: {"address": BAKU}),
    (BILLING_UPDATE, lambda v: {"address": BAKU}),
    (CURRENCY_UPDATE, lambda v: {"currency": "EUR"}),
]


def _owner_of(variant):
    return variant.product.seller.user


ROLES = {
    "anonymous": lambda variant: None,
    "buyer": lambda variant: UserFactory(),
    "other seller": lambda variant: SellerFactory(user=UserFactory()).user,
    "owner": lambda variant: _owner_of(variant),
    "staff without permission": lambda variant: StaffFactory(),
    "staff with permission": lambda variant: StaffFactory(permissions=["orders.manage_orders"]),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("mutation", "arguments"), MUTATIONS)
def test_whoever_holds_the_token_may_change_the_checkout(
    gql_as, eur_rate, role, mutation, arguments
):
    variant = variant_in_stock(stock=5, seller=SellerFactory(user=UserFactory()))
    token = create(gql_as(UserFactory()), lines=[{"variantId": vid(variant), "quantity": 1}])[
        "checkout"
    ]["token"]

    data = gql_as(ROLES[role](variant)).execute(mutation, {"token": token, **arguments(variant)})

    assert next(iter(data.values()))["errors"] == []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("mutation", "arguments"), MUTATIONS)
def test_without_the_right_token_nobody_changes_a_checkout(
    gql_as, eur_rate, role, mutation, arguments
):
    variant = variant_in_stock(stock=5, seller=SellerFactory(user=UserFactory()))
    create(gql_as(None), lines=[{"variantId": vid(variant), "quantity": 1}])
    before = snapshot(Checkout.objects.get())

    data = gql_as(ROLES[role](variant)).execute(
        mutation, {"token": "00000000-0000-0000-0000-000000000000", **arguments(variant)}
    )

    assert next(iter(data.values())) == {
        "checkout": None,
        "errors": [{"field": "token", "code": "NOT_FOUND", "message": "No such checkout."}],
    }
    assert snapshot(Checkout.objects.get()) == before


def test_an_expired_checkout_is_refused_with_expired(gql):
    token = create(gql)["checkout"]["token"]
    Checkout.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    payload = gql.execute(EMAIL_UPDATE, {"token": token, "email": "a@example.com"})

    assert [(e["field"], e["code"]) for e in payload["checkoutEmailUpdate"]["errors"]] == [
        ("token", "EXPIRED")
    ]


def test_the_checkout_query_answers_null_for_an_unknown_token(gql):
    data = gql.execute(QUERY, {"token": "00000000-0000-0000-0000-000000000000"})

    assert data == {"checkout": None}


def test_the_checkout_query_says_when_a_checkout_expired(gql):
    token = create(gql)["checkout"]["token"]
    Checkout.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    [error] = gql.errors(QUERY, {"token": token})

    assert error["extensions"] == {"code": "expired", "field": "token"}


def test_quantity_available_leaves_out_other_checkouts_reservations(gql):
    variant = variant_in_stock(stock=5)
    create(gql, lines=[{"variantId": vid(variant), "quantity": 3}])
    token = create(gql, lines=[{"variantId": vid(variant), "quantity": 1}])["checkout"]["token"]

    [line] = gql.execute(QUERY, {"token": token})["checkout"]["lines"]

    assert (line["quantity"], line["quantityAvailable"]) == (1, 2)


def _checkout_with_lines(gql, count):
    variants = [variant_in_stock() for _ in range(count)]
    for variant in variants:
        ProductImageFactory(product=variant.product)
    return create(gql, lines=[{"variantId": vid(v), "quantity": 1} for v in variants])["checkout"][
        "token"
    ]


def test_the_checkout_query_costs_the_same_queries_for_one_line_or_many(
    gql, django_assert_max_num_queries, django_assert_num_queries
):
    one, many = _checkout_with_lines(gql, 1), _checkout_with_lines(gql, 6)
    with django_assert_max_num_queries(4) as counted:
        gql.execute(QUERY, {"token": one})

    with django_assert_num_queries(len(counted.captured_queries)):
        data = gql.execute(QUERY, {"token": many})

    assert len(data["checkout"]["lines"]) == 6


def test_the_checkout_shows_its_quote_in_its_currency(gql):
    variant = variant_in_stock(stock=5)
    token = create(gql, lines=[{"variantId": vid(variant), "quantity": 2}])["checkout"]["token"]

    data = gql.execute(
        "query ($token: UUID!) { checkout(token: $token) { quote { currency "
        "subtotal { amount currency } } } }",
        {"token": token},
    )

    assert data["checkout"]["quote"] == {
        "currency": "AZN",
        "subtotal": {"amount": "200.00", "currency": "AZN"},
    }

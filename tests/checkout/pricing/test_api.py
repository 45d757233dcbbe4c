"""The quote, delivery choice and incoterm through GraphQL, as a buyer's client sees them."""

import pytest
from graphql_relay import to_global_id

from market.checkout.models import Checkout, CheckoutDelivery
from tests.factories import (
    SellerFactory,
    StaffFactory,
    UserFactory,
    carpet,
    checkout_with,
    duty_country,
    rate,
    shipping_method,
)

pytestmark = pytest.mark.django_db

MONEY = "{ amount currency }"
QUOTE = f"""
    currency conversion {{ rate source }} incoterm incotermsOffered domestic
    subtotal {MONEY} shipping {MONEY} vat {MONEY} duties {MONEY} dutiesEstimate {MONEY}
    total {MONEY}
    parts {{
      seller {{ name }} weightGrams deliveryDaysMin deliveryDaysMax
      shippingMethod {{ name carrier }}
      lines {{ sku productName quantity unitPrice {MONEY} total {MONEY} }}
      subtotal {MONEY} shipping {MONEY} duties {MONEY} dutiesEstimate {MONEY} total {MONEY}
      deliveryOptions {{ shippingMethod {{ id name }} price {MONEY} processingDays
                         deliveryDaysMin deliveryDaysMax }}
    }}
"""
DELIVERY = f"""
mutation($token: UUID!, $sellerId: ID!, $shippingMethodId: ID!) {{
  checkoutDeliveryMethodUpdate(token: $token, sellerId: $sellerId,
                               shippingMethodId: $shippingMethodId) {{
    checkout {{ token }} quote {{ {QUOTE} }} errors {{ field code message }}
  }}
}}"""
INCOTERM = f"""
mutation($token: UUID!, $incoterm: Incoterm!) {{
  checkoutIncotermUpdate(token: $token, incoterm: $incoterm) {{
    checkout {{ token }} quote {{ {QUOTE} }} errors {{ field code }}
  }}
}}"""


@pytest.fixture
def berlin_checkout():
    rate("EUR", "1.9")
    duty_country("DE", chapters={"57": "8"})
    method = shipping_method(carrier="DHL Express", name="Express", transit=(2, 4))
    variant = carpet(
        "300.00", processing_days=3, seller=SellerFactory(name="Kilim House"), name="Shirvan carpet"
    )
    return checkout_with((variant, 1)), variant, method


def _variables(checkout, variant, method):
    return {
        "token": str(checkout.token),
        "sellerId": to_global_id("Seller", variant.product.seller_id),
        "shippingMethodId": to_global_id("ShippingMethod", method.pk),
    }


def test_buyer_chooses_delivery_and_sees_the_quote_in_euros(gql, berlin_checkout):
    checkout, variant, method = berlin_checkout

    payload = gql.execute(DELIVERY, _variables(*berlin_checkout))["checkoutDeliveryMethodUpdate"]

    assert payload["errors"] == []
    assert payload["checkout"] == {"token": str(checkout.token)}
    quote = payload["quote"]
    assert quote["currency"] == "EUR"
    assert quote["conversion"] == {"rate": "1.9000000000", "source": "test"}
    assert (quote["incoterm"], quote["incotermsOffered"], quote["domestic"]) == (
        "DAP",
        ["DAP", "DDP"],
        False,
    )
    assert quote["subtotal"] == {"amount": "157.89", "currency": "EUR"}
    assert quote["shipping"]["amount"] == "42.11"
    assert (
        quote["vat"]["amount"],
        quote["duties"]["amount"],
        quote["dutiesEstimate"]["amount"],
    ) == ("0.00", "0.00", "12.63")
    assert quote["total"]["amount"] == "200.00"
    (part,) = quote["parts"]
    assert part["seller"] == {"name": "Kilim House"}
    assert part["shippingMethod"] == {"name": "Express", "carrier": "DHL Express"}
    assert (part["weightGrams"], part["deliveryDaysMin"], part["deliveryDaysMax"]) == (1200, 5, 7)
    assert part["lines"] == [
        {
            "sku": variant.sku,
            "productName": "Shirvan carpet",
            "quantity": 1,
            "unitPrice": {"amount": "157.89", "currency": "EUR"},
            "total": {"amount": "157.89", "currency": "EUR"},
        }
    ]
    assert part["deliveryOptions"] == [
        {
            "shippingMethod": {"id": to_global_id("ShippingMethod", method.pk), "name": "Express"},
            "price": {"amount": "42.11", "currency": "EUR"},
            "processingDays": 3,
            "deliveryDaysMin": 5,
            "deliveryDaysMax": 7,
        }
    ]


def test_buyer_chooses_ddp_and_duties_join_the_total(gql, berlin_checkout):
    checkout, variant, method = berlin_checkout
    CheckoutDelivery.objects.create(
        checkout=checkout, seller=variant.product.seller, shipping_method=method
    )

    payload = gql.execute(INCOTERM, {"token": str(checkout.token), "incoterm": "DDP"})[
        "checkoutIncotermUpdate"
    ]

    assert payload["errors"] == []
    assert payload["quote"]["incoterm"] == "DDP"
    assert (payload["quote"]["duties"]["amount"], payload["quote"]["total"]["amount"]) == (
        "12.63",
        "212.63",
    )
    assert Checkout.objects.get(pk=checkout.pk).incoterm == "DDP"


def test_checkout_quote_query_shows_a_baku_buyers_vat(gql):
    home = shipping_method(zone="Azerbaijan", countries=["AZ"], bands=[(5000, "8.00")])
    checkout = checkout_with((carpet("300.00"), 1), currency="AZN", country="AZ", deliveries=[home])

    quote = gql.execute(
        f"query($token: UUID!) {{ checkoutQuote(token: $token) {{ {QUOTE} }} }}",
        {"token": str(checkout.token)},
    )["checkoutQuote"]

    assert (quote["domestic"], quote["incoterm"], quote["incotermsOffered"]) == (True, None, [])
    assert (quote["total"]["amount"], quote["vat"]["amount"]) == ("308.00", "46.98")


def test_checkout_quote_of_an_unknown_token_answers_not_found(gql):
    errors = gql.errors(
        "query($token: UUID!) { checkoutQuote(token: $token) { currency } }",
        {"token": "00000000-0000-4000-8000-000000000000"},
    )

    assert errors[0]["extensions"] == {"code": "not_found", "field": "token"}


def test_delivery_method_not_offered_for_the_weight_is_refused_and_nothing_changes(
    gql, berlin_checkout
):
    checkout, variant, _ = berlin_checkout
    tiny = shipping_method(name="Letter", bands=[(100, "5.00")])

    payload = gql.execute(DELIVERY, _variables(checkout, variant, tiny))[
        "checkoutDeliveryMethodUpdate"
    ]

    assert payload["quote"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("shippingMethodId", "INVALID_DELIVERY_METHOD")
    ]
    assert not CheckoutDelivery.objects.exists()


def test_delivery_to_a_destination_not_served_is_refused(gql, berlin_checkout):
    checkout, variant, method = berlin_checkout
    Checkout.objects.filter(pk=checkout.pk).update(shipping_country="BR")

    payload = gql.execute(DELIVERY, _variables(checkout, variant, method))[
        "checkoutDeliveryMethodUpdate"
    ]

    assert [e["code"] for e in payload["errors"]] == ["DESTINATION_NOT_SERVED"]
    assert not CheckoutDelivery.objects.exists()


def test_a_malformed_seller_id_answers_not_found(gql, berlin_checkout):
    checkout, variant, method = berlin_checkout
    variables = {**_variables(checkout, variant, method), "sellerId": "nonsense"}

    payload = gql.execute(DELIVERY, variables)["checkoutDeliveryMethodUpdate"]

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("sellerId", "NOT_FOUND")]


def test_ddp_where_not_offered_is_refused_and_nothing_changes(gql):
    duty_country("TR", ddp=False)
    checkout = checkout_with((carpet(), 1), currency="AZN", country="TR", incoterm="DAP")

    payload = gql.execute(INCOTERM, {"token": str(checkout.token), "incoterm": "DDP"})[
        "checkoutIncotermUpdate"
    ]

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("incoterm", "INCOTERM_NOT_OFFERED")
    ]
    assert Checkout.objects.get(pk=checkout.pk).incoterm == "DAP"


ROLES = ("anonymous", "buyer", "other_seller", "owner", "staff", "staff_with_permission")


def _caller(role, owner):
    return {
        "anonymous": lambda: None,
        "buyer": UserFactory,
        "other_seller": lambda: SellerFactory(user=UserFactory()).user,
        "owner": lambda: owner,
        "staff": StaffFactory,
        "staff_with_permission": lambda: StaffFactory(permissions=["orders.manage_orders"]),
    }[role]()


@pytest.mark.parametrize("role", ROLES)
def test_whoever_holds_the_token_may_choose_delivery(gql_as, berlin_checkout, role):
    """The token is the key (a guest's checkout has no owner); the owner is the buyer whose
    checkout it is. Signed in or not, staff or seller, the holder is answered alike."""
    checkout, variant, method = berlin_checkout
    owner = UserFactory()
    Checkout.objects.filter(pk=checkout.pk).update(user=owner)

    payload = gql_as(_caller(role, owner)).execute(DELIVERY, _variables(checkout, variant, method))[
        "checkoutDeliveryMethodUpdate"
    ]

    assert payload["errors"] == []
    assert CheckoutDelivery.objects.get().shipping_method == method


@pytest.mark.parametrize("role", ROLES)
def test_whoever_holds_the_token_may_choose_the_incoterm(gql_as, berlin_checkout, role):
    checkout, _, _ = berlin_checkout
    owner = UserFactory()
    Checkout.objects.filter(pk=checkout.pk).update(user=owner)

    payload = gql_as(_caller(role, owner)).execute(
        INCOTERM, {"token": str(checkout.token), "incoterm": "DDP"}
    )["checkoutIncotermUpdate"]

    assert payload["errors"] == []
    assert Checkout.objects.get(pk=checkout.pk).incoterm == "DDP"


@pytest.mark.parametrize("role", ROLES)
def test_without_the_token_nobody_may_choose_delivery(gql_as, berlin_checkout, role):
    checkout, variant, method = berlin_checkout
    owner = UserFactory()
    Checkout.objects.filter(pk=checkout.pk).update(user=owner)
    variables = {
        **_variables(checkout, variant, method),
        "token": "00000000-0000-4000-8000-000000000000",
    }

    payload = gql_as(_caller(role, owner)).execute(DELIVERY, variables)[
        "checkoutDeliveryMethodUpdate"
    ]

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("token", "NOT_FOUND")]
    assert not CheckoutDelivery.objects.exists()


def test_a_choice_whose_quote_cannot_be_made_is_not_kept(gql):
    """No EUR rate: the quote in the answer fails, so the delivery choice and the incoterm
    must not be saved either (a refusal changes nothing)."""
    duty_country("DE", ddp=True)
    method = shipping_method(countries=["DE"])
    seller = SellerFactory()
    checkout = checkout_with((carpet(seller=seller), 1), incoterm="DAP")

    delivery = gql.post(
        DELIVERY,
        {
            "token": str(checkout.token),
            "sellerId": to_global_id("Seller", seller.pk),
            "shippingMethodId": to_global_id("ShippingMethod", method.pk),
        },
    )
    incoterm = gql.post(INCOTERM, {"token": str(checkout.token), "incoterm": "DDP"})

    assert delivery.json()["data"]["checkoutDeliveryMethodUpdate"]["errors"][0]["code"] == (
        "NO_EXCHANGE_RATE"
    )
    assert incoterm.json()["data"]["checkoutIncotermUpdate"]["errors"][0]["code"] == (
        "NO_EXCHANGE_RATE"
    )
    assert not CheckoutDelivery.objects.filter(checkout=checkout).exists()
    assert Checkout.objects.get(pk=checkout.pk).incoterm == "DAP"

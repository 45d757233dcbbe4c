"""The checkout page: contact and addresses with each country's rules, delivery per maker,
DAP or DDP, the review, and "Place order" (once, however often it is pressed)."""

import pytest
from django.test import Client
from django.urls import reverse

from market.checkout.models import Checkout
from market.orders.models import Order
from market.storefront.cart import CHECKOUT_SESSION_KEY
from tests.storefront.buying import (
    add_to_cart,
    choose_delivery,
    makers_shipping_to_germany,
    place_order,
    save_details,
    visitor_in_germany,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(eur_rate):
    return makers_shipping_to_germany(2)


@pytest.fixture
def cart_of_two(client, shop):
    variants, _ = shop
    visitor_in_germany(client)
    for variant in variants:
        add_to_cart(client, variant)
    return client


def test_an_empty_cart_has_no_checkout(client):
    response = client.get(reverse("storefront:checkout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("storefront:cart")


def test_the_page_asks_for_the_countrys_postal_code(cart_of_two):
    page = cart_of_two.get(reverse("storefront:checkout")).content.decode()

    assert 'name="shippingAddress.postalCode"' in page
    assert "For example 10115" in page
    assert '<option value="DE" selected>' in page


def test_details_are_saved_and_the_delivery_options_appear(cart_of_two, shop):
    response = save_details(cart_of_two)

    assert response.status_code == 302
    checkout = Checkout.objects.get(token=cart_of_two.session[CHECKOUT_SESSION_KEY])
    assert checkout.email == "anna@example.com"
    assert checkout.shipping_address["postal_code"] == "10115"
    assert checkout.billing_address == checkout.shipping_address
    page = cart_of_two.get(reverse("storefront:checkout")).content.decode()
    assert page.count('type="radio" name="deliveryMethod.') == 2
    assert "Post to DE" in page
    assert "DDP: pay the duties now" in page


def test_an_invalid_german_postal_code_is_shown_at_its_field_with_what_was_typed(cart_of_two):
    response = save_details(cart_of_two, **{"shippingAddress.postalCode": "1234X"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "&#x27;1234X&#x27; is not a postal code of DE (e.g. 10115)." in page
    assert 'id="shippingAddress-postalCode" name="shippingAddress.postalCode" value="1234X"' in page
    assert 'aria-describedby="shippingAddress-postalCode-error' in page
    assert 'value="Anna Schmidt"' in page
    checkout = Checkout.objects.get(token=cart_of_two.session[CHECKOUT_SESSION_KEY])
    assert checkout.shipping_address == {}


def test_a_bad_email_is_shown_at_its_field(cart_of_two):
    response = save_details(cart_of_two, email="anna@")

    page = response.content.decode()
    assert "&#x27;anna@&#x27; is not a valid e-mail address." in page
    assert 'value="anna@"' in page


def test_a_separate_billing_address_is_kept(cart_of_two):
    save_details(
        cart_of_two,
        billingSame="",
        **{
            "billingAddress.name": "Anna GmbH",
            "billingAddress.streetAddress1": "Nizami 10",
            "billingAddress.city": "Baku",
            "billingAddress.postalCode": "AZ1000",
            "billingAddress.country": "AZ",
        },
    )

    checkout = Checkout.objects.get(token=cart_of_two.session[CHECKOUT_SESSION_KEY])
    assert checkout.billing_address["country"] == "AZ"
    assert checkout.billing_address["postal_code"] == "AZ 1000"


def test_the_review_shows_shipping_and_duties_per_maker_and_in_total(cart_of_two, shop):
    variants, method = shop
    save_details(cart_of_two)

    choose_delivery(cart_of_two, variants, method, incoterm="DDP")

    page = cart_of_two.get(reverse("storefront:checkout")).content.decode()
    assert "From Maker 0" in page and "From Maker 1" in page
    assert page.count("Duties (paid now)") == 3  # each maker and the order
    assert "€10.00" in page  # 20 AZN shipping per parcel


def test_place_order_without_delivery_says_what_is_missing(cart_of_two):
    save_details(cart_of_two)

    response = place_order(cart_of_two)

    assert response.status_code == 400
    assert "Choose a delivery method for the items from Maker 0." in response.content.decode()
    assert not Order.objects.exists()


def test_a_double_place_order_makes_one_order(cart_of_two, shop):
    variants, method = shop
    save_details(cart_of_two)
    choose_delivery(cart_of_two, variants, method)
    cart_of_two.get(reverse("storefront:checkout"))

    first = place_order(cart_of_two)
    second = place_order(cart_of_two)

    assert Order.objects.count() == 1
    order = Order.objects.get()
    assert first["Location"] == second["Location"] == f"/orders/{order.token}/#pay"
    assert order.incoterm == "DAP" and order.currency == "EUR"


def test_the_checkout_pages_queries_do_not_grow_with_its_lines(
    client, eur_rate, django_assert_max_num_queries
):
    variants, method = makers_shipping_to_germany(5)
    visitor_in_germany(client)
    add_to_cart(client, variants[0])
    save_details(client)
    choose_delivery(client, variants[:1], method)
    with django_assert_max_num_queries(60) as one_line:
        client.get(reverse("storefront:checkout"))
    queries_for_one_line = len(one_line)
    for variant in variants[1:]:
        add_to_cart(client, variant)
    choose_delivery(client, variants, method)

    with django_assert_max_num_queries(queries_for_one_line):
        response = client.get(reverse("storefront:checkout"))

    assert response.content.decode().count("Total from this maker") == 5


@pytest.mark.parametrize("step", ["details", "delivery", "place"])
def test_every_checkout_form_needs_its_csrf_token(shop, step):
    response = Client(enforce_csrf_checks=True).post(reverse("storefront:checkout"), {"step": step})

    assert response.status_code == 403

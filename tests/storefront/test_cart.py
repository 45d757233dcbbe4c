"""The cart: adding from a product page, changing and removing lines, and what the cart says
when its checkout expired or another buyer took the last unit."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from market.checkout.completion import checkout_complete
from market.checkout.models import Checkout, StockReservation
from market.storefront.cart import CART_COUNT_SESSION_KEY, CHECKOUT_SESSION_KEY
from tests.factories import ready_checkout
from tests.storefront.buying import (
    add_to_cart,
    makers_shipping_to_germany,
    variant_id,
    visitor_in_germany,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def variants(eur_rate):
    return makers_shipping_to_germany(2)[0]


def test_adding_to_the_cart_opens_a_checkout_in_the_visitors_currency(client, variants):
    visitor_in_germany(client)

    response = add_to_cart(client, variants[0], 2, next="/products/x/")

    assert response.status_code == 302
    assert response["Location"] == "/products/x/"
    checkout = Checkout.objects.get(token=client.session[CHECKOUT_SESSION_KEY])
    assert checkout.currency == "EUR"
    assert list(checkout.lines.values_list("variant_id", "quantity")) == [(variants[0].pk, 2)]
    assert client.session[CART_COUNT_SESSION_KEY] == 2


def test_the_cart_shows_each_makers_lines_and_the_subtotal(client, variants):
    visitor_in_germany(client)
    add_to_cart(client, variants[0], 2)
    add_to_cart(client, variants[1])

    page = client.get(reverse("storefront:cart")).content.decode()

    assert "From Maker 0" in page and "From Maker 1" in page
    assert "€150.00" in page  # 3 × 50.00 EUR
    assert "Cart (3 items)" in page
    assert ">Checkout</a>" in page


def test_a_second_add_goes_into_the_same_checkout(client, variants):
    add_to_cart(client, variants[0])
    token = client.session[CHECKOUT_SESSION_KEY]

    add_to_cart(client, variants[0])

    assert client.session[CHECKOUT_SESSION_KEY] == token
    assert Checkout.objects.get(token=token).lines.get().quantity == 2


def test_with_htmx_the_answer_is_the_headers_cart_link(client, variants):
    response = add_to_cart(client, variants[0], headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="cart-link"' in html and "Cart (1 item)" in html
    assert "<html" not in html


def test_more_than_the_stock_is_refused_with_the_apis_message(client, variants):
    response = add_to_cart(client, variants[0], 9)

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Only 5 left in stock." in page
    assert client.session.get(CART_COUNT_SESSION_KEY, 0) == 0


def test_a_quantity_that_is_not_a_number_asks_again_without_calling_the_api(client, variants):
    response = add_to_cart(client, variants[0], "two")

    page = client.get(response["Location"]).content.decode()
    assert "Choose an item and a quantity to add to your cart." in page
    assert not Checkout.objects.exists()


@pytest.mark.parametrize("quantity", ["99999999999", "-99999999999"])
def test_a_quantity_beyond_what_the_api_holds_asks_again_instead_of_failing(
    client, variants, quantity
):
    response = add_to_cart(client, variants[0], quantity)

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Choose an item and a quantity to add to your cart." in page
    assert not Checkout.objects.exists()


def test_a_line_is_updated_and_removed(client, variants):
    add_to_cart(client, variants[0])
    token = client.session[CHECKOUT_SESSION_KEY]

    client.post(
        reverse("storefront:cart"),
        {"action": "update", "variant": variant_id(variants[0]), "quantity": "3"},
    )
    assert Checkout.objects.get(token=token).lines.get().quantity == 3
    assert client.session[CART_COUNT_SESSION_KEY] == 3

    client.post(
        reverse("storefront:cart"), {"action": "remove", "variant": variant_id(variants[0])}
    )
    assert not Checkout.objects.get(token=token).lines.exists()
    assert "Your cart is empty." in client.get(reverse("storefront:cart")).content.decode()


def test_an_expired_checkout_starts_afresh_with_a_message(client, variants):
    add_to_cart(client, variants[0])
    old = client.session[CHECKOUT_SESSION_KEY]
    Checkout.objects.filter(token=old).update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    page = client.get(reverse("storefront:cart")).content.decode()
    assert "Your earlier cart had expired" in page
    assert CHECKOUT_SESSION_KEY not in client.session

    add_to_cart(client, variants[1])
    assert client.session[CHECKOUT_SESSION_KEY] != old
    assert Checkout.objects.get(token=client.session[CHECKOUT_SESSION_KEY]).lines.count() == 1


def test_adding_to_an_expired_checkout_starts_a_new_one(client, variants):
    add_to_cart(client, variants[0])
    old = client.session[CHECKOUT_SESSION_KEY]
    Checkout.objects.filter(token=old).update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    response = add_to_cart(client, variants[1])

    new = client.session[CHECKOUT_SESSION_KEY]
    assert new != old
    assert list(Checkout.objects.get(token=new).lines.values_list("variant_id", flat=True)) == [
        variants[1].pk
    ]
    assert "Your earlier cart had expired" in client.get(response["Location"]).content.decode()


def test_the_last_unit_taken_by_another_buyer_is_explained_in_the_cart(client, eur_rate):
    variants, _ = makers_shipping_to_germany(1, stock=1)
    add_to_cart(client, variants[0])
    mine = Checkout.objects.get(token=client.session[CHECKOUT_SESSION_KEY])
    # Meanwhile my reservation lapsed and another buyer bought the last unit.
    StockReservation.objects.filter(checkout=mine).delete()
    other = ready_checkout(lines=[(variants[0], 1)])
    checkout_complete(token=other.token, idempotency_key="other-buyer")

    page = client.get(reverse("storefront:cart")).content.decode()

    assert "Sold out: another buyer took the last one meanwhile" in page
    assert 'aria-invalid="true"' in page
    assert "Change or remove the items marked above to check out." in page


def test_the_carts_queries_do_not_grow_with_its_lines(
    client, eur_rate, django_assert_max_num_queries
):
    variants, _ = makers_shipping_to_germany(6)
    add_to_cart(client, variants[0])
    with django_assert_max_num_queries(30) as one_line:
        client.get(reverse("storefront:cart"))
    queries_for_one_line = len(one_line)
    for variant in variants[1:]:
        add_to_cart(client, variant, 2)

    with django_assert_max_num_queries(queries_for_one_line):
        response = client.get(reverse("storefront:cart"))

    assert response.content.decode().count('name="action" value="remove"') == 6


def test_every_cart_form_needs_its_csrf_token(variants):
    response = Client(enforce_csrf_checks=True).post(
        reverse("storefront:cart"), {"variant": variant_id(variants[0])}
    )

    assert response.status_code == 403
    assert not Checkout.objects.exists()

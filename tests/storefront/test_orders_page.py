"""The order status page and paying on it: the whole guest journey, a declined card, 3-D
Secure, tracking, Stripe's Payment Element (server side) and orders that are not there."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from market.checkout.models import Checkout
from market.orders.fulfilment import part_ship
from market.orders.models import Order, OrderStatus
from market.orders.services import order_part_start_fulfilment
from market.payments.models import Payment
from tests.storefront.buying import (
    DECLINES,
    SUCCEEDS,
    add_to_cart,
    choose_delivery,
    makers_shipping_to_germany,
    place_order,
    save_details,
    visitor_in_germany,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(client, eur_rate):
    """A guest in Germany, paying in euros, who ordered from two makers with DAP."""
    variants, method = makers_shipping_to_germany(2)
    visitor_in_germany(client)
    for variant in variants:
        add_to_cart(client, variant)
    save_details(client)
    choose_delivery(client, variants, method, incoterm="DAP")
    response = place_order(client)
    return Order.objects.get(), response


def pay(client, order, card):
    return client.post(
        reverse("storefront:order", args=[order.token]), {"card": card, "attempt": uuid.uuid4()}
    )


def test_a_guest_buys_from_two_makers_in_euros_and_sees_the_order(client, placed):
    order, response = placed
    page = client.get(response["Location"]).content.decode()
    assert "Order CM-" in page and "awaiting payment" in page
    assert "4242 4242 4242 4242 succeeds" in page
    assert ">Pay</button>" in page

    paid = pay(client, order, SUCCEEDS)

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.currency == "EUR" and order.shipping_country == "DE"
    assert order.parts.count() == 2
    page = client.get(paid["Location"]).content.decode()
    assert "Thank you: your payment went through." in page
    assert "From Maker 0: paid" in page and "From Maker 1: paid" in page
    assert "Duties (estimate, paid on arrival)" in page
    assert 'name="card"' not in page


def test_a_declined_card_says_so_at_the_card_field_and_the_order_stays_payable(client, placed):
    order, _ = placed

    response = pay(client, order, DECLINES)

    assert response.status_code == 400
    page = response.content.decode()
    assert '<p class="error" id="card-error">Your card was declined.</p>' in page
    assert f'value="{DECLINES}"' in page
    order.refresh_from_db()
    assert order.status == OrderStatus.UNPAID
    pay(client, order, SUCCEEDS)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_the_same_pay_form_sent_twice_makes_one_payment(client, placed):
    order, _ = placed
    attempt = uuid.uuid4().hex
    for _ in range(2):
        client.post(
            reverse("storefront:order", args=[order.token]),
            {"card": SUCCEEDS, "attempt": attempt},
        )

    assert Payment.objects.filter(order=order).count() == 1


def test_3d_secure_is_confirmed_on_the_page(client, placed):
    order, _ = placed
    pay(client, order, "4000002500003155")
    page = client.get(reverse("storefront:order", args=[order.token])).content.decode()
    assert "Confirm the payment" in page
    payment = Payment.objects.get(order=order)

    client.post(
        reverse("storefront:order", args=[order.token]),
        {"action": "confirm", "payment": _payment_id(payment), "authenticated": "yes"},
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def _payment_id(payment):
    from graphql_relay import to_global_id

    return to_global_id("Payment", payment.pk)


def test_each_makers_tracking_is_shown(client, placed):
    order, response = placed
    pay(client, order, SUCCEEDS)
    part = order.parts.order_by("pk").first()
    order_part_start_fulfilment(part=part)
    part_ship(part=part, actor=None, carrier_code="manual", tracking_number="RR123456789DE")

    page = client.get(reverse("storefront:order", args=[order.token])).content.decode()

    assert "tracking number" in page and "RR123456789DE" in page
    assert ": shipped" in page


def test_an_unknown_order_token_is_the_404_page(client, placed):
    response = client.get(reverse("storefront:order", args=[uuid.uuid4()]))

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_a_checkouts_token_does_not_open_an_order(client, placed):
    checkout = Checkout.objects.get()

    response = client.get(reverse("storefront:order", args=[checkout.token]))

    assert response.status_code == 404


def test_a_malformed_order_token_is_the_404_page(client):
    assert client.get("/orders/not-a-token/").status_code == 404


def test_the_pay_form_needs_its_csrf_token(placed):
    order, _ = placed

    response = Client(enforce_csrf_checks=True).post(
        reverse("storefront:order", args=[order.token]), {"card": SUCCEEDS}
    )

    assert response.status_code == 403
    assert not Payment.objects.exists()


def test_with_stripe_the_page_mounts_the_payment_element_and_allows_stripe_js(
    client, placed, settings, monkeypatch
):
    from market.payments.gateways import GatewayResult, StripeGateway
    from market.payments.models import PaymentStatus

    order, _ = placed
    settings.PAYMENT_GATEWAY = "stripe"
    settings.PAYMENT_GATEWAYS = ["stripe"]
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_storefront"
    monkeypatch.setattr(
        StripeGateway,
        "start",
        lambda self, payment, card: GatewayResult(
            PaymentStatus.PENDING, provider_id="pi_1", client_secret="pi_1_secret_2"
        ),
    )
    page = client.get(reverse("storefront:order", args=[order.token]))
    assert "js.stripe.com" in page["Content-Security-Policy"]
    assert 'name="card"' not in page.content.decode()

    client.post(reverse("storefront:order", args=[order.token]), {"attempt": "a1"})
    response = client.get(reverse("storefront:order", args=[order.token]))

    html = response.content.decode()
    assert 'data-client-secret="pi_1_secret_2"' in html
    assert 'data-publishable-key="pk_test_storefront"' in html
    assert "storefront/js/stripe-payment" in html
    assert "script-src 'self' https://js.stripe.com" in response["Content-Security-Policy"]


def test_without_stripe_no_page_allows_stripe_js(client, placed):
    order, _ = placed

    response = client.get(reverse("storefront:order", args=[order.token]))

    assert "stripe" not in response["Content-Security-Policy"]

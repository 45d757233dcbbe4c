"""Builders for the buying pages' tests: makers that ship to Germany, a visitor choosing euros
and Germany, and the forms' fields as the pages name them."""

from __future__ import annotations

from django.urls import reverse
from graphql_relay import to_global_id

from market.storefront.preferences import COUNTRY_COOKIE, CURRENCY_COOKIE
from tests.factories import duty_country, seller_with_variant, shipping_to

BERLIN = {
    "email": "anna@example.com",
    "shippingAddress.name": "Anna Schmidt",
    "shippingAddress.streetAddress1": "Unter den Linden 1",
    "shippingAddress.city": "Berlin",
    "shippingAddress.postalCode": "10115",
    "shippingAddress.country": "DE",
    "billingSame": "on",
}
SUCCEEDS = "4242 4242 4242 4242"
DECLINES = "4000000000000002"


def variant_id(variant) -> str:
    return to_global_id("ProductVariant", variant.pk)


def makers_shipping_to_germany(count: int = 2, *, stock: int = 5):
    """``count`` makers with one variant each (100.00 AZN, i.e. 50.00 EUR), a post to Germany,
    and Germany's duties (DDP offered)."""
    method = shipping_to("DE")
    duty_country("DE")
    variants = [
        seller_with_variant(price="100.00", stock=stock, name=f"Maker {i}")[1] for i in range(count)
    ]
    return variants, method


def visitor_in_germany(client) -> None:
    client.cookies[CURRENCY_COOKIE] = "EUR"
    client.cookies[COUNTRY_COOKIE] = "DE"


def add_to_cart(client, variant, quantity: int | str = 1, headers=None, **fields):
    return client.post(
        reverse("storefront:cart"),
        {"variant": variant_id(variant), "quantity": quantity, **fields},
        headers=headers,
    )


def save_details(client, **changes):
    return client.post(reverse("storefront:checkout"), {"step": "details", **BERLIN, **changes})


def choose_delivery(client, variants, method, incoterm: str = "DAP"):
    data = {"step": "delivery", "incoterm": incoterm}
    for variant in variants:
        seller = variant.product.seller
        data[f"seller.{seller.slug}"] = to_global_id("Seller", seller.pk)
        data[f"deliveryMethod.{seller.slug}"] = to_global_id("ShippingMethod", method.pk)
    return client.post(reverse("storefront:checkout"), data)


def place_order(client):
    return client.post(reverse("storefront:checkout"), {"step": "place"})

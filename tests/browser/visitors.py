"""Visitors in a given state for the page checks: signed in, with a cart, with an order.

Carts and orders are made through the public GraphQL API (the contract the pages use too, so
these builders do not follow the domain's modules around), and handed to the browser through a
Django session, the way the sign-in and cart pages keep them: a page is checked on its own, not
after every page before it worked."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from graphql_relay import to_global_id

from market.storefront.cart import CART_COUNT_SESSION_KEY, CHECKOUT_SESSION_KEY
from tests.conftest import GraphQLClient

BERLIN = {
    "name": "Anna Schmidt",
    "streetAddress1": "Unter den Linden 1",
    "city": "Berlin",
    "postalCode": "10115",
    "country": "DE",
}
ERRORS = "errors { field code message }"
CREATE = f"""mutation($input: CheckoutCreateInput!) {{
  checkoutCreate(input: $input) {{ checkout {{ token }} {ERRORS} }} }}"""
OPTIONS = """query($token: UUID!) {
  checkoutQuote(token: $token) {
    parts { seller { id } deliveryOptions { shippingMethod { id } } } } }"""
DELIVERY = f"""mutation($token: UUID!, $sellerId: ID!, $shippingMethodId: ID!) {{
  checkoutDeliveryMethodUpdate(token: $token, sellerId: $sellerId,
                               shippingMethodId: $shippingMethodId) {{ {ERRORS} }} }}"""
COMPLETE = f"""mutation($token: UUID!, $idempotencyKey: String!) {{
  checkoutComplete(token: $token, idempotencyKey: $idempotencyKey) {{
    order {{ token }} {ERRORS} }} }}"""


def _ok(payload: dict) -> dict:
    assert not payload["errors"], payload["errors"]
    return payload


def session_cookie(context, storefront: str, *, user=None, cart: str | None = None) -> None:
    """Give the browser ``context`` a session signed in as ``user`` and/or holding the checkout
    ``cart`` (its token) as its cart."""
    session = SessionStore()
    if user is not None:
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if cart is not None:
        session[CHECKOUT_SESSION_KEY] = cart
        session[CART_COUNT_SESSION_KEY] = 2
    session.save()
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": storefront}]
    )


def cart_to_germany(*, variants, user=None) -> str:
    """A checkout of one of each of ``variants`` in euros, addressed to Berlin, with the first
    delivery offered for each maker: what the cart and checkout pages show once a buyer got
    that far. Its token."""
    api = GraphQLClient(user)
    created = _ok(
        api.execute(
            CREATE,
            {
                "input": {
                    "email": user.email if user is not None else "guest@example.com",
                    "currency": "EUR",
                    "lines": [
                        {"variantId": to_global_id("ProductVariant", v.pk), "quantity": 1}
                        for v in variants
                    ],
                    "shippingAddress": BERLIN,
                }
            },
        )["checkoutCreate"]
    )
    token = created["checkout"]["token"]
    for part in api.execute(OPTIONS, {"token": token})["checkoutQuote"]["parts"]:
        method = part["deliveryOptions"][0]["shippingMethod"]["id"]
        _ok(
            api.execute(
                DELIVERY,
                {"token": token, "sellerId": part["seller"]["id"], "shippingMethodId": method},
            )["checkoutDeliveryMethodUpdate"]
        )
    return token


def placed_order(*, variants, user=None) -> str:
    """An unpaid order from :func:`cart_to_germany`; its token."""
    token = cart_to_germany(variants=variants, user=user)
    completed = GraphQLClient(user).execute(
        COMPLETE, {"token": token, "idempotencyKey": str(uuid.uuid4())}
    )["checkoutComplete"]
    return _ok(completed)["order"]["token"]

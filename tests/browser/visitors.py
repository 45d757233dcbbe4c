"""Visitors in a given state for the page checks: signed in, with a cart, with an order. They
are made through the domain and a Django session (the journeys make theirs through the pages):
a page is checked on its own, not after every page before it worked."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from market.storefront.cart import CART_COUNT_SESSION_KEY, CHECKOUT_SESSION_KEY


def session_cookie(context, storefront: str, *, user=None, cart=None) -> None:
    """Give the browser ``context`` a session signed in as ``user`` and/or holding ``cart`` (a
    checkout) as its cart, the way the sign-in and cart pages keep them."""
    session = SessionStore()
    if user is not None:
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if cart is not None:
        session[CHECKOUT_SESSION_KEY] = str(cart.token)
        session[CART_COUNT_SESSION_KEY] = sum(line.quantity for line in cart.lines.all())
    session.save()
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": storefront}]
    )


def cart_to_germany(*, variants, user=None):
    """A checkout of one of each of ``variants`` in euros, addressed to Berlin with a delivery
    method per maker: what the cart and checkout pages show once a buyer got that far."""
    from tests.orders.helpers import ready_checkout

    return ready_checkout(
        lines=[(variant, 1) for variant in variants],
        user=user,
        email=user.email if user is not None else "guest@example.com",
    )


def placed_order(*, variants, user=None):
    """An unpaid order from :func:`cart_to_germany`."""
    from market.orders.services import checkout_complete
    from tests.orders.helpers import key

    checkout = cart_to_germany(variants=variants, user=user)
    return checkout_complete(token=checkout.token, idempotency_key=key(), user=user)

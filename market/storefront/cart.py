"""The visitor's cart is a checkout of the API; the session holds only its token (and its size,
for the header, so that a page does not ask the API for it)."""

from __future__ import annotations

from django.http import HttpRequest

CHECKOUT_SESSION_KEY = "storefront_checkout"
CART_COUNT_SESSION_KEY = "storefront_cart_count"


def cart_token(request: HttpRequest) -> str | None:
    return request.session.get(CHECKOUT_SESSION_KEY)


def cart_remember(request: HttpRequest, *, token: str | None, count: int) -> None:
    """Keep the checkout's token and how many items it holds (none: forget the cart)."""
    if token:
        request.session[CHECKOUT_SESSION_KEY] = str(token)
        request.session[CART_COUNT_SESSION_KEY] = count
    else:
        request.session.pop(CHECKOUT_SESSION_KEY, None)
        request.session.pop(CART_COUNT_SESSION_KEY, None)

"""The visitor's cart is a checkout of the API; the session holds only its token (and its size,
for the header, so that a page does not ask the API for it).

A checkout the API no longer accepts (expired, completed, or gone) is forgotten here, with a
message, and the next "Add to cart" starts a fresh one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from market.graphql.core.errors import format_error
from market.storefront import api
from market.storefront.preferences import preferences_get

CHECKOUT_SESSION_KEY = "storefront_checkout"
CART_COUNT_SESSION_KEY = "storefront_cart_count"
CART_CURRENCY_SESSION_KEY = "storefront_cart_currency"
# The API's codes for a checkout token that can no longer be used.
GONE_CODES = frozenset(
    {"expired", "already_completed", "not_found", "EXPIRED", "ALREADY_COMPLETED"}
)


def cart_token(request: HttpRequest) -> str | None:
    return request.session.get(CHECKOUT_SESSION_KEY)


def cart_remember(request: HttpRequest, *, token: str | None, count: int) -> None:
    """Keep the checkout's token and how many items it holds (none: forget the cart)."""
    if token:
        request.session[CHECKOUT_SESSION_KEY] = str(token)
        request.session[CART_COUNT_SESSION_KEY] = count
    else:
        for key in (CHECKOUT_SESSION_KEY, CART_COUNT_SESSION_KEY, CART_CURRENCY_SESSION_KEY):
            request.session.pop(key, None)


def cart_remember_checkout(request: HttpRequest, checkout: dict[str, Any]) -> None:
    """Keep a checkout the API answered with (its token and item count)."""
    count = sum(line["quantity"] for line in checkout.get("lines") or [])
    cart_remember(request, token=checkout["token"], count=count)


def cart_forget_gone(request: HttpRequest) -> None:
    """The checkout expired or became an order: forget it and say so."""
    cart_remember(request, token=None, count=0)
    messages.warning(
        request,
        _("Your earlier cart had expired or was already ordered, so we started a new one."),
    )


def is_gone(errors: list[dict[str, Any]] | list[Any]) -> bool:
    """Whether a mutation's ``errors`` (or an ``ApiError``'s) say the token is no longer
    usable."""
    for error in errors:
        if not isinstance(error, dict):
            error = format_error(error).get("extensions") or {}
        if error.get("code") in GONE_CODES and error.get("field") == "token":
            return True
    return False


def cart_load(request: HttpRequest, operation: str, **variables: Any) -> dict[str, Any] | None:
    """Run a page's checkout query (``checkout(token: $token)`` at its root) for the visitor's
    cart, in the visitor's currency; None when there is no usable cart (a gone one is forgotten
    with a message). The rest of the operation's data is under the other keys."""
    token = cart_token(request)
    if not token:
        return None
    currency = preferences_get(request).currency
    try:
        if request.session.get(CART_CURRENCY_SESSION_KEY) != currency:
            # The visitor chose another currency since the cart last followed it (a refusal,
            # such as no known rate, leaves the cart in its currency: it is not asked again).
            errors = api.run(request, "CartCurrencyUpdate", token=token, currency=currency)[
                "checkoutCurrencyUpdate"
            ]["errors"]
            if is_gone(errors):
                cart_forget_gone(request)
                return None
            request.session[CART_CURRENCY_SESSION_KEY] = currency
        data = api.run(request, operation, token=token, **variables)
        checkout = data.get("checkout")
    except api.ApiError as error:
        if not is_gone(error.errors):
            raise
        checkout = None
        data = {}
    if checkout is None:
        cart_forget_gone(request)
        return None
    cart_remember_checkout(request, checkout)
    return data

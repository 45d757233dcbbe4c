"""What every storefront page needs: the visitor's choices, the languages with this page's
address in each (for the switcher and hreflang), and the cart's size."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django_countries import countries

from market.storefront.cart import CART_COUNT_SESSION_KEY
from market.storefront.preferences import preferences_get


def storefront(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.app_name != "storefront":
        return {}  # the admin, GraphiQL (the error pages ask for the context themselves)
    return storefront_context(request)


def storefront_context(request: HttpRequest) -> dict[str, Any]:
    chosen = preferences_get(request)
    origin = settings.MARKET_STOREFRONT_URL.rstrip("/")
    return {
        "preferences": chosen,
        # What the page's prices are in: the chosen currency, or the base one while no rate
        # for the chosen one is known (market.storefront.api.run).
        "shown_currency": getattr(request, "storefront_currency", chosen.currency),
        "currencies": settings.MARKET_CURRENCIES,
        "countries": countries,
        "languages": [
            {
                "code": code,
                "name": name,
                "url": origin + translate_url(request.path, code),
            }
            for code, name in settings.LANGUAGES
        ],
        "canonical_url": origin + request.path,
        "cart_count": request.session.get(CART_COUNT_SESSION_KEY, 0)
        if hasattr(request, "session")
        else 0,
    }

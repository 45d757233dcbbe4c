"""What a visitor chose: the currency prices are shown in and the country goods ship to.

Both live in cookies (a guest has no account, and a session per visitor would be a database write
per first visit). Until the visitor chooses, they follow the browser's language: ``de-DE`` →
Germany and euros, ``az`` → Azerbaijan and manats. A value that is not ours (a hand-made cookie
or URL) falls back to the default, never to an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import get_territory_currencies
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django_countries import countries

CURRENCY_COOKIE = "market_currency"
COUNTRY_COOKIE = "market_country"
COOKIE_AGE = 365 * 24 * 3600
FALLBACK_CURRENCY = "USD"
# A language without a region says little about the country: these are the likely ones.
LANGUAGE_COUNTRY = {"az": "AZ", "ru": "RU", "en": "US", "de": "DE", "fr": "FR", "tr": "TR"}


@dataclass(frozen=True)
class Preferences:
    currency: str
    country: str
    language: str


def currency_for_country(country: str) -> str:
    """The country's own currency when we sell in it, else US dollars."""
    for code in get_territory_currencies(country) if country else ():
        if code in settings.MARKET_CURRENCIES:
            return code
    return (
        FALLBACK_CURRENCY
        if FALLBACK_CURRENCY in settings.MARKET_CURRENCIES
        else (settings.MARKET_BASE_CURRENCY)
    )


def valid_currency(value: str | None) -> str | None:
    value = (value or "").upper()
    return value if value in settings.MARKET_CURRENCIES else None


def valid_country(value: str | None) -> str | None:
    value = (value or "").upper()
    return value if value and value in countries else None


def _browser_country(request: HttpRequest) -> str:
    """The first region named in Accept-Language (``en-GB`` → GB), else the language's."""
    header = request.headers.get("Accept-Language", "")
    languages = [part.split(";")[0].strip() for part in header.split(",") if part.strip()]
    for tag in languages:
        _, _, region = tag.replace("_", "-").partition("-")
        if valid_country(region):
            return region.upper()
    for tag in languages:
        guess = LANGUAGE_COUNTRY.get(tag.split("-")[0].lower())
        if guess:
            return guess
    return LANGUAGE_COUNTRY.get(get_language() or settings.LANGUAGE_CODE, "AZ")


def preferences_get(request: HttpRequest) -> Preferences:
    """The visitor's currency and ship-to country, chosen or defaulted (cached per request)."""
    cached = getattr(request, "_market_preferences", None)
    if cached is not None:
        return cached
    country = valid_country(request.COOKIES.get(COUNTRY_COOKIE)) or _browser_country(request)
    currency = valid_currency(request.COOKIES.get(CURRENCY_COOKIE)) or currency_for_country(country)
    chosen = Preferences(
        currency=currency, country=country, language=get_language() or settings.LANGUAGE_CODE
    )
    request._market_preferences = chosen  # type: ignore[attr-defined]
    return chosen


def preferences_remember(
    response: HttpResponse, *, currency: str | None = None, country: str | None = None
) -> None:
    """Keep the visitor's choice for a year (valid values only)."""
    secure = not settings.DEBUG and settings.SESSION_COOKIE_SECURE
    for name, value in (
        (CURRENCY_COOKIE, valid_currency(currency)),
        (COUNTRY_COOKIE, valid_country(country)),
    ):
        if value:
            response.set_cookie(
                name, value, max_age=COOKIE_AGE, samesite="Lax", secure=secure, httponly=True
            )

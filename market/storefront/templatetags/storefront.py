"""Template helpers of the storefront: money and dates in the visitor's language."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_currency
from django import template
from django.utils.translation import get_language, gettext, to_locale

register = template.Library()


def _locale() -> str:
    return to_locale(get_language() or "en")


@register.filter
def money(value: dict[str, Any] | None) -> str:
    """An API ``Money`` (``{amount, currency}``) for this language: ``€12.50``, ``12,50 €``,
    ``12,50 ₼``. Empty for a missing price."""
    if not value:
        return ""
    try:
        amount = Decimal(str(value["amount"]))
    except (KeyError, InvalidOperation):
        return ""
    return format_currency(amount, value["currency"], locale=_locale())


@register.simple_tag
def price_range(price_range: dict[str, Any] | None) -> str:
    """``from €12.50`` when the variants differ in price, else the one price."""
    if not price_range or not price_range.get("start"):
        return ""
    start, stop = price_range["start"], price_range.get("stop")
    if stop and str(stop["amount"]) != str(start["amount"]):
        return gettext("from %(price)s") % {"price": money(start)}
    return money(start)

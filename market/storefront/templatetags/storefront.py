"""Template helpers of the storefront: money and dates in the visitor's language."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel.numbers import format_currency, format_decimal
from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, override, to_locale
from django_countries import countries

from market.storefront import labels

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


# What ``json.dumps`` leaves as is but would end or confuse a <script> element in HTML.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data: Any) -> str:
    """``<script type="application/ld+json">`` holding ``data`` (structured data for search
    engines: data, not a script, so the CSP has nothing to allow)."""
    text = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_SCRIPT_ESCAPES)),  # noqa: S308 (escaped just above)
    )


_LABELS = {"discipline": labels.DISCIPLINES, "availability": labels.AVAILABILITY}


@register.filter
def label(value: str | None, kind: str) -> str:
    """The visitor's word for an API enum value: ``"CRAFTS"|label:"discipline"`` → Crafts."""
    return str(_LABELS[kind].get(value or "", value or ""))


@register.filter
def api_datetime(value: str | None) -> datetime | None:
    """An API ``DateTime`` (ISO 8601 text) as a datetime, for Django's ``date`` filter."""
    return parse_datetime(value) if value else None


@register.filter
def rate(value: Any) -> str:
    """An exchange rate for this language, four to six decimals: ``2.0000``, ``1,7123``."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return ""
    return format_decimal(number, format="#,##0.0000##", locale=_locale())


@lru_cache(maxsize=8)
def _country_options(language: str) -> str:
    """Every country as an ``<option>``, named and sorted in ``language``: built once per
    process and language (250 options through the template engine cost milliseconds a page)."""
    with override(language):
        return "".join(
            format_html('<option value="{}">{}</option>', code, name) for code, name in countries
        )


@register.simple_tag
def country_options(selected: str = "") -> str:
    """The ``<option>``s of a country ``<select>``, ``selected`` (a code) chosen."""
    html = _country_options(get_language() or "en")
    if selected:
        marker = f'<option value="{selected}">'
        html = html.replace(marker, f'<option value="{selected}" selected>', 1)
    return mark_safe(html)  # noqa: S308 (built with format_html above; codes are ours)

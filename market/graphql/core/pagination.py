"""Relay cursor pagination over a queryset, with every argument checked.

Cursors are opaque (base64 of ``"<prefix>:<offset>"``); a cursor that does not decode, or that
belongs to another connection, is an error, never a silent first page.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from market.graphql.core.errors import ApiErrorCode, argument_error

DEFAULT_PAGE_SIZE = 20


def encode_cursor(prefix: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{prefix}:{offset}".encode()).decode()


def decode_cursor(prefix: str, cursor: str, argument: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        kind, _, offset = raw.partition(":")
        value = int(offset)
        if kind != prefix or value < 0:
            raise ValueError
    except (ValueError, binascii.Error, UnicodeError):
        raise argument_error(
            argument, f"Malformed cursor in '{argument}': {cursor!r}.", ApiErrorCode.INVALID_CURSOR
        ) from None
    return value


@dataclass
class Page:
    items: list
    start_offset: int
    has_next_page: bool
    has_previous_page: bool
    queryset: QuerySet
    prefix: str

    def cursor(self, index: int) -> str:
        return encode_cursor(self.prefix, self.start_offset + index)


def _check_size(argument: str, value: int | None) -> None:
    if value is None:
        return
    cap = settings.GRAPHQL_MAX_PAGE_SIZE
    if value < 0 or value > cap:
        raise argument_error(
            argument,
            f"'{argument}' must be between 0 and {cap}; got {value}.",
            ApiErrorCode.PAGE_SIZE_EXCEEDED,
        )


def paginate(
    queryset: QuerySet,
    *,
    prefix: str,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Page:
    _check_size("first", first)
    _check_size("last", last)
    if first is not None and last is not None:
        raise argument_error("last", "Give either 'first' or 'last', not both.")
    start = decode_cursor(prefix, after, "after") + 1 if after else 0
    end = decode_cursor(prefix, before, "before") if before else None
    if end is not None and end < start:
        raise argument_error(
            "before", "'before' points before 'after'.", ApiErrorCode.INVALID_CURSOR
        )
    if last is not None:
        if end is None:
            end = queryset.count()
        lo = max(start, end - last)
        items = list(queryset[lo:end])
        return Page(
            items,
            lo,
            has_next_page=end is not None and before is not None,
            has_previous_page=lo > start or (lo > 0 and after is None),
            queryset=queryset,
            prefix=prefix,
        )
    size = DEFAULT_PAGE_SIZE if first is None else first
    stop = start + size if end is None else min(start + size, end)
    # One row more than asked tells whether a next page exists without a COUNT.
    fetch_stop = stop + 1 if end is None else stop
    rows = list(queryset[start:fetch_stop]) if stop > start else []
    has_next = len(rows) > stop - start if end is None else stop < end
    return Page(
        rows[: stop - start],
        start,
        has_next_page=has_next,
        has_previous_page=start > 0,
        queryset=queryset,
        prefix=prefix,
    )

"""Numbered pages (``?page=2``) over the API's cursor connections.

The API's cursors are offsets (``market.graphql.core.pagination``: ``"<prefix>:<offset>"``,
opaque to clients but stable), so page ``n`` starts after the cursor of the row just before
it, and a page asks for one operation only: no walking the pages before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from market.graphql.core.pagination import encode_cursor

# A page number above this is past the end of any catalogue we hold: answered like one.
MAX_PAGE = 100_000


def page_number(value: str | None) -> int:
    """The page a URL asks for; anything that is not a whole number from 1 up is page 1."""
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        return 1
    return min(number, MAX_PAGE + 1) if number >= 1 else 1


def offset_cursor(prefix: str, offset: int) -> str | None:
    """The ``after`` argument that starts a connection named ``prefix`` at row ``offset``
    (counted from 0)."""
    return encode_cursor(prefix, offset - 1) if offset > 0 else None


def after_cursor(prefix: str, *, page: int, size: int) -> str | None:
    """The ``after`` argument that starts page ``page`` of a connection named ``prefix``."""
    return offset_cursor(prefix, (page - 1) * size)


@dataclass(frozen=True)
class Pages:
    """Where a page stands among all of them, for the page links."""

    number: int
    count: int
    total: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None

    @property
    def links(self) -> list[int | None]:
        """The page numbers to link: the first, the last and two either side of this one;
        ``None`` stands for the gap between them."""
        shown = {1, self.count, *range(self.number - 2, self.number + 3)}
        numbers = sorted(n for n in shown if 1 <= n <= self.count)
        links: list[int | None] = []
        for n in numbers:
            if links and links[-1] is not None and n - links[-1] > 1:
                links.append(None)
            links.append(n)
        return links


def pages_of(*, number: int, total: int, size: int) -> Pages:
    return Pages(number=number, count=max(1, -(-total // size)), total=total)

"""``/sitemap.xml``: every public product, category and maker, in every language.

``/sitemap.xml`` is an index of sections (``/sitemap-<section>.xml``), each served a page of
``ITEMS_PER_PAGE`` items at a time (``?p=2``); every item is listed once per language, with its
hreflang alternates and an ``x-default`` (English, which has no prefix).

The data comes from the API like any page's (``graphql/operations/storefront/Sitemap*.graphql``),
and a sitemap page asks only for its own items: a page of products is fetched from the
``products`` connection at its offset, at the API's largest page size. Measured on PostgreSQL
with 10,000 products, one flat sitemap took over 20 s (listing and rendering 30,000 addresses
with their alternates), far beyond a crawler's patience; a page of 1,000 products takes about a
second, and what it answers is kept in the cache for ``SITEMAP_CACHE_SECONDS``, so a crawler
asking again costs nothing and a new listing appears within minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, overload
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from market.core.cache import cache
from market.storefront import api
from market.storefront.paging import offset_cursor

SITEMAP_CACHE_SECONDS = 300
ITEMS_PER_PAGE = 1000
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]

if TYPE_CHECKING:  # generic in django-stubs only
    _Sitemap = Sitemap[dict[str, Any]]
else:
    _Sitemap = Sitemap


class _ItemsInEveryLanguage(Sequence[tuple[dict[str, Any], str]]):
    """``(item, language)`` pairs, as Django's sitemaps page them with ``i18n``, fetching only
    the items of the slice asked for."""

    def __init__(self, sitemap: _StorefrontSitemap) -> None:
        self.sitemap = sitemap

    def __len__(self) -> int:
        return self.sitemap.item_count * len(LANGUAGE_CODES)

    @overload
    def __getitem__(self, index: int) -> tuple[dict[str, Any], str]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[dict[str, Any], str]]: ...
    def __getitem__(
        self, index: int | slice
    ) -> tuple[dict[str, Any], str] | list[tuple[dict[str, Any], str]]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop, _step = index.indices(len(self))
        per_item = len(LANGUAGE_CODES)
        first_item = start // per_item
        items = self.sitemap.items_between(first_item, -(-stop // per_item))
        pairs = [(item, code) for item in items for code in LANGUAGE_CODES]
        return pairs[start - first_item * per_item : stop - first_item * per_item]


class _StorefrontSitemap(_Sitemap):
    """Addresses of the storefront at its public origin (``MARKET_STOREFRONT_URL``, as the
    pages' canonical links), in every language."""

    i18n = True
    alternates = True
    x_default = True
    url_name = ""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.MARKET_STOREFRONT_URL).scheme

    def get_domain(self, site: Any = None) -> str:
        return urlsplit(settings.MARKET_STOREFRONT_URL).netloc

    def location(self, item: dict[str, Any]) -> str:
        return reverse(self.url_name, args=[item["slug"]])

    @property
    def paginator(self) -> Paginator:
        return Paginator(_ItemsInEveryLanguage(self), ITEMS_PER_PAGE * len(LANGUAGE_CODES))

    def get_latest_lastmod(self) -> datetime | None:
        return None  # it would mean reading every item for the index

    @cached_property
    def item_count(self) -> int:
        return len(self.all_items)

    @cached_property
    def all_items(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def items_between(self, start: int, stop: int) -> list[dict[str, Any]]:
        return self.all_items[start:stop]


class _ConnectionSitemap(_StorefrontSitemap):
    """Items of one of the API's connections, read a page at a time at their offset."""

    operation = ""
    connection = ""
    cursor_prefix = ""

    @cached_property
    def item_count(self) -> int:
        data = api.run(self.request, self.operation, first=0, withCount=True)
        count: int = data[self.connection]["totalCount"]
        return count

    def items_between(self, start: int, stop: int) -> list[dict[str, Any]]:
        size = settings.GRAPHQL_MAX_PAGE_SIZE
        items: list[dict[str, Any]] = []
        while start + len(items) < stop:
            offset = start + len(items)
            data = api.run(
                self.request,
                self.operation,
                first=min(size, stop - offset),
                after=offset_cursor(self.cursor_prefix, offset),
            )
            edges = data[self.connection]["edges"]
            items.extend(edge["node"] for edge in edges)
            if not edges:
                break
        return items


class PageSitemap(_StorefrontSitemap):
    """The pages that are not a product, a category or a maker."""

    @cached_property
    def all_items(self) -> list[dict[str, Any]]:
        names = ("storefront:home", "storefront:products", "storefront:makers")
        return [{"name": name} for name in names]

    def location(self, item: dict[str, Any]) -> str:
        return reverse(item["name"])


class CategorySitemap(_StorefrontSitemap):
    url_name = "storefront:category"

    @cached_property
    def all_items(self) -> list[dict[str, Any]]:
        return list(_category_slugs(api.run(self.request, "SitemapCategories")["categories"]))


def _category_slugs(categories: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for category in categories:
        yield {"slug": category["slug"]}
        yield from _category_slugs(category.get("children") or [])


class MakerSitemap(_ConnectionSitemap):
    url_name = "storefront:maker"
    operation, connection, cursor_prefix = "SitemapMakers", "sellers", "seller"


class ProductSitemap(_ConnectionSitemap):
    url_name = "storefront:product"
    operation, connection, cursor_prefix = "SitemapProducts", "products", "product"

    def lastmod(self, item: dict[str, Any]) -> datetime | None:
        return parse_datetime(item["updatedAt"])


SECTIONS: dict[str, type[_StorefrontSitemap]] = {
    "pages": PageSitemap,
    "categories": CategorySitemap,
    "makers": MakerSitemap,
    "products": ProductSitemap,
}


def _cached_response(key: str, make: Callable[[], TemplateResponse]) -> HttpResponse:
    content = cache.get(key)
    if content is None:
        content = make().render().content
        cache.set(key, content, SITEMAP_CACHE_SECONDS)
    response = HttpResponse(content, content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"  # as Django's sitemap views say
    return response


@require_GET
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """``/sitemap.xml``: where each section's pages are."""

    def make() -> TemplateResponse:
        origin = settings.MARKET_STOREFRONT_URL.rstrip("/")
        locations = []
        for section, kind in SECTIONS.items():
            url = origin + reverse("sitemap_section", args=[section])
            pages = kind(request).paginator.num_pages
            locations += [url] + [f"{url}?p={page}" for page in range(2, pages + 1)]
        return TemplateResponse(
            request,
            "sitemap_index.xml",
            {"sitemaps": [{"location": location} for location in locations]},
            content_type="application/xml",
        )

    return _cached_response("storefront:sitemap", make)


@require_GET
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """``/sitemap-<section>.xml?p=<page>``: one page of one section, in every language."""
    if section not in SECTIONS:
        raise Http404
    page = request.GET.get("p", "1")
    if not (page.isascii() and page.isdigit()):  # "²" is a digit to str.isdigit, not to int()
        raise Http404

    def make() -> TemplateResponse:
        sections = {section: SECTIONS[section](request)}
        response = sitemap_view(request, sitemaps=sections, section=section)  # type: ignore[arg-type]
        assert isinstance(response, TemplateResponse)
        return response

    return _cached_response(f"storefront:sitemap:{section}:{int(page)}", make)

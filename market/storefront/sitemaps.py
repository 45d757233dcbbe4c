"""``/sitemap.xml``: every public product, category and maker, in every language.

Its data comes from the API like any page's (``graphql/operations/storefront/Sitemap*.graphql``):
the products and makers are paged through at the API's largest page size. Walking ten thousand
products takes a hundred operations, so what they answer is kept in the cache for a few minutes
(``SITEMAP_CACHE_SECONDS``): a crawler asking twice costs the database nothing the second time,
and a new listing appears within minutes.

Each address is listed once per language, with its hreflang alternates and an ``x-default``
(English, which has no prefix). A sitemap holds at most 50,000 addresses: with three languages
that is 16,666 products before ``?p=2`` is needed (Django's sitemap view serves it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from market.storefront import api

SITEMAP_CACHE_SECONDS = 300
CACHE_KEY = "storefront:sitemap:{}"


def _paged(request: HttpRequest, operation: str, connection: str) -> Iterator[dict[str, Any]]:
    """Every node of ``connection`` in ``operation``, a page of the API's largest size at a
    time."""
    after = None
    while True:
        data = api.run(request, operation, first=settings.GRAPHQL_MAX_PAGE_SIZE, after=after)
        found = data[connection]
        yield from (edge["node"] for edge in found["edges"])
        if not found["pageInfo"]["hasNextPage"]:
            return
        after = found["pageInfo"]["endCursor"]


def _category_slugs(categories: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for category in categories:
        yield {"slug": category["slug"]}
        yield from _category_slugs(category.get("children") or [])


def _cached(name: str, load: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return cast(
        list[dict[str, Any]], cache.get_or_set(CACHE_KEY.format(name), load, SITEMAP_CACHE_SECONDS)
    )


if TYPE_CHECKING:  # generic in django-stubs only
    _Sitemap = Sitemap[dict[str, Any]]
else:
    _Sitemap = Sitemap


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

    def items(self) -> list[dict[str, Any]]:
        return self._items_once

    @cached_property
    def _items_once(self) -> list[dict[str, Any]]:
        return self.load()

    def load(self) -> list[dict[str, Any]]:
        raise NotImplementedError


class PageSitemap(_StorefrontSitemap):
    """The pages that are not a product, a category or a maker."""

    def load(self) -> list[dict[str, Any]]:
        return [
            {"name": name}
            for name in ("storefront:home", "storefront:products", "storefront:makers")
        ]

    def location(self, item: dict[str, Any]) -> str:
        return reverse(item["name"])


class ProductSitemap(_StorefrontSitemap):
    url_name = "storefront:product"

    def load(self) -> list[dict[str, Any]]:
        return _cached(
            "products", lambda: list(_paged(self.request, "SitemapProducts", "products"))
        )

    def lastmod(self, item: dict[str, Any]) -> datetime | None:
        return parse_datetime(item["updatedAt"])


class CategorySitemap(_StorefrontSitemap):
    url_name = "storefront:category"

    def load(self) -> list[dict[str, Any]]:
        return _cached(
            "categories",
            lambda: list(_category_slugs(api.run(self.request, "SitemapCategories")["categories"])),
        )


class MakerSitemap(_StorefrontSitemap):
    url_name = "storefront:maker"

    def load(self) -> list[dict[str, Any]]:
        return _cached("makers", lambda: list(_paged(self.request, "SitemapMakers", "sellers")))


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    sections: dict[str, Sitemap[Any] | type[Sitemap[Any]]] = {
        "pages": PageSitemap(request),
        "categories": CategorySitemap(request),
        "makers": MakerSitemap(request),
        "products": ProductSitemap(request),
    }
    return sitemap_view(request, sitemaps=sections)

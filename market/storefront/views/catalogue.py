"""Browsing: home, the catalogue, categories, products and makers.

Each page runs one operation document (``graphql/operations/storefront/``). What a visitor
puts in the address (filters, sort, page) is read leniently: a value we do not understand
falls back to the default, so a hand-edited or stale link still shows a page, never a 500.
Something that does not exist or is not public (a draft, a suspended maker, an unknown
category, a page past the end) is the site's 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from market.storefront import api
from market.storefront.paging import after_cursor, page_number, pages_of
from market.storefront.preferences import preferences_get, valid_country

PAGE_SIZE = 24
MAKERS_PAGE_SIZE = 24
# The API refuses longer search texts; a longer one in a URL is cut, not an error.
MAX_SEARCH_LENGTH = 200
# Above any price we list (the API's prices have 12 digits): a larger bound means no bound.
MAX_PRICE = Decimal("9999999999")

# ?sort= value → (the API's sort field, direction, what the visitor reads)
SORTS: dict[str, tuple[str, str, Any]] = {
    "relevance": ("RELEVANCE", "DESC", _("Best match")),
    "newest": ("NEWEST", "DESC", _("Newest")),
    "price-asc": ("PRICE", "ASC", _("Price: low to high")),
    "price-desc": ("PRICE", "DESC", _("Price: high to low")),
    "name": ("NAME", "ASC", _("Name")),
}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    data = api.run(request, "Home", currency=preferences_get(request).currency)
    return render(request, "storefront/home.html", data)


def _price(value: str | None) -> Decimal | None:
    try:
        amount = Decimal((value or "").strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and 0 <= amount <= MAX_PRICE else None


def _slug(value: str | None) -> str:
    value = (value or "").strip()
    return value if value and slugify(value) == value.lower() and len(value) <= 220 else ""


@dataclass
class CatalogueQuery:
    """The catalogue's address, read: what the visitor asked for, each value checked."""

    q: str = ""
    category: str = ""
    maker: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    origin: str = ""
    in_stock: bool = False
    made_to_order: bool = False
    sort: str = "newest"
    page: int = 1

    @classmethod
    def from_request(cls, request: HttpRequest, *, category: str = "") -> CatalogueQuery:
        get = request.GET
        q = " ".join(get.get("q", "").split())[:MAX_SEARCH_LENGTH]
        low, high = _price(get.get("price_min")), _price(get.get("price_max"))
        if low is not None and high is not None and low > high:
            low, high = high, low  # the visitor's meaning is plain; the API would refuse it
        default_sort = "relevance" if q else "newest"
        sort = get.get("sort", default_sort)
        if sort not in SORTS or (sort == "relevance" and not q):
            sort = default_sort
        return cls(
            q=q,
            category=category or _slug(get.get("category")),
            maker=_slug(get.get("maker")),
            price_min=low,
            price_max=high,
            origin=valid_country(get.get("origin")) or "",
            in_stock=get.get("in_stock") == "1",
            made_to_order=get.get("made_to_order") == "1",
            sort=sort,
            page=page_number(get.get("page")),
        )

    @property
    def sort_choices(self) -> list[tuple[str, Any]]:
        """The orders the form offers: "best match" only for a search."""
        return [(key, sort[2]) for key, sort in SORTS.items() if key != "relevance" or self.q]

    def api_filter(self) -> dict[str, Any]:
        wanted: dict[str, Any] = {
            "search": self.q or None,
            "categorySlugs": [self.category] if self.category else None,
            "sellerSlugs": [self.maker] if self.maker else None,
            "priceGte": None if self.price_min is None else str(self.price_min),
            "priceLte": None if self.price_max is None else str(self.price_max),
            "originCountries": [self.origin] if self.origin else None,
            "inStock": True if self.in_stock else None,
            "madeToOrder": True if self.made_to_order else None,
        }
        return {key: value for key, value in wanted.items() if value is not None}

    def api_sort(self) -> dict[str, str]:
        sort_field, direction, _label = SORTS[self.sort]
        return {"field": sort_field, "direction": direction}

    @property
    def is_filtered(self) -> bool:
        return bool(self.api_filter())


def _canonical(path: str, *, page: int, category: str = "") -> str:
    """The address search engines should index: no search, filter, sort or tracking noise;
    only the category (on /products/) and a page after the first."""
    params = {"category": category} if category else {}
    if page > 1:
        params["page"] = str(page)
    origin = settings.MARKET_STOREFRONT_URL.rstrip("/")
    return origin + path + (f"?{urlencode(params)}" if params else "")


def _catalogue(request: HttpRequest, *, category_slug: str = "") -> HttpResponse:
    query = CatalogueQuery.from_request(request, category=category_slug)
    data = api.run(
        request,
        "Catalogue",
        first=PAGE_SIZE,
        after=after_cursor("product", page=query.page, size=PAGE_SIZE),
        filter=query.api_filter(),
        sortBy=query.api_sort(),
        currency=preferences_get(request).currency,
        categorySlug=category_slug,
        withCategory=bool(category_slug),
    )
    category = data.get("category")
    if category_slug and category is None:
        raise Http404
    products = data["products"]
    if query.page > 1 and not products["edges"]:
        raise Http404  # past the last page: there is no such page (and nothing to index)
    known_category = category_slug or (
        query.category if query.category in _category_slugs(data["categories"]) else ""
    )
    context = {
        **data,
        "query": query,
        "pages": pages_of(number=query.page, total=products["totalCount"], size=PAGE_SIZE),
        "category_options": _category_options(data["categories"]),
        "action": request.path,
        "canonical_url": _canonical(
            request.path, page=query.page, category="" if category_slug else known_category
        ),
        # Search results are for the visitor, not for an index (the canonical drops the rest).
        "noindex": bool(query.q),
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "storefront/catalogue/_results.html", context)
    return render(request, "storefront/catalogue/list.html", context)


def _category_options(categories: list[dict[str, Any]], level: int = 0) -> list[dict[str, Any]]:
    """The category tree, flattened in order for a select, each with its depth."""
    options = []
    for category in categories:
        options.append({"slug": category["slug"], "label": "– " * level + category["name"]})
        options.extend(_category_options(category.get("children") or [], level + 1))
    return options


def _category_slugs(categories: list[dict[str, Any]]) -> set[str]:
    return {option["slug"] for option in _category_options(categories)}


@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    return _catalogue(request)


@require_GET
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _catalogue(request, category_slug=slug)


@require_GET
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    chosen = preferences_get(request)
    data = api.run(request, "Product", slug=slug, currency=chosen.currency, country=chosen.country)
    product = data.get("product")
    if product is None:
        raise Http404
    origin = settings.MARKET_STOREFRONT_URL.rstrip("/")
    duties = product["deliveryEstimate"]["duties"]
    context = {
        "product": product,
        "duties_due": bool(duties) and Decimal(str(duties["amount"])) > 0,
        "variants": product["variants"],
        "first_price": next((v["price"] for v in product["variants"]), None),
        # The first version that can be bought is chosen until the visitor picks another.
        "chosen_variant": next((v["id"] for v in product["variants"] if v["inStock"]), None),
        "canonical_url": origin + request.path,
        "structured_data": product_structured_data(product, url=origin + request.path),
        "breadcrumbs": _breadcrumbs(product),
    }
    return render(request, "storefront/catalogue/product.html", context)


def _breadcrumbs(product: dict[str, Any]) -> list[dict[str, str]]:
    """Home › category (› its parent first) › product, as links."""
    trail = [{"name": str(_("Home")), "url": reverse("storefront:home")}]
    category = product["category"]
    for crumb in (category.get("parent"), category):
        if crumb:
            trail.append(
                {"name": crumb["name"], "url": reverse("storefront:category", args=[crumb["slug"]])}
            )
    trail.append(
        {"name": product["name"], "url": reverse("storefront:product", args=[product["slug"]])}
    )
    return trail


def product_structured_data(product: dict[str, Any], *, url: str) -> list[dict[str, Any]]:
    """schema.org ``Product`` and ``BreadcrumbList`` for search engines (JSON-LD)."""
    origin = settings.MARKET_STOREFRONT_URL.rstrip("/")
    offers = [
        {
            "@type": "Offer",
            "sku": variant["sku"],
            "name": variant["name"] or product["name"],
            "price": str(variant["price"]["amount"]),
            "priceCurrency": variant["price"]["currency"],
            "availability": "https://schema.org/InStock"
            if variant["inStock"]
            else "https://schema.org/OutOfStock",
            "url": url,
        }
        for variant in product["variants"]
    ]
    item: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product["name"],
        "description": product["description"],
        "image": [image["url"] for image in product["images"]],
        "sku": product["variants"][0]["sku"] if product["variants"] else None,
        "brand": {"@type": "Brand", "name": product["seller"]["name"]},
        "countryOfOrigin": product["export"]["originCountry"]["code"],
        "url": url,
        "offers": offers,
    }
    crumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": crumb["name"],
                "item": origin + crumb["url"],
            }
            for position, crumb in enumerate(_breadcrumbs(product), start=1)
        ],
    }
    return [item, crumbs]


@require_GET
def maker_list(request: HttpRequest) -> HttpResponse:
    number = page_number(request.GET.get("page"))
    data = api.run(
        request,
        "Makers",
        first=MAKERS_PAGE_SIZE,
        after=after_cursor("seller", page=number, size=MAKERS_PAGE_SIZE),
    )
    sellers = data["sellers"]
    if number > 1 and not sellers["edges"]:
        raise Http404
    context = {
        "sellers": sellers,
        "pages": pages_of(number=number, total=sellers["totalCount"], size=MAKERS_PAGE_SIZE),
        "canonical_url": _canonical(request.path, page=number),
    }
    return render(request, "storefront/catalogue/makers.html", context)


@require_GET
def maker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    number = page_number(request.GET.get("page"))
    data = api.run(
        request,
        "Maker",
        slug=slug,
        first=PAGE_SIZE,
        after=after_cursor("product", page=number, size=PAGE_SIZE),
        currency=preferences_get(request).currency,
    )
    if data.get("seller") is None:
        raise Http404
    products = data["products"]
    if number > 1 and not products["edges"]:
        raise Http404
    context = {
        **data,
        "pages": pages_of(number=number, total=products["totalCount"], size=PAGE_SIZE),
        "canonical_url": _canonical(request.path, page=number),
    }
    return render(request, "storefront/catalogue/maker.html", context)

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from market.catalog.error_codes import CatalogErrorCode
from market.catalog.models import (
    AttributeValue,
    Availability,
    Category,
    Product,
    ProductImage,
    ProductStatus,
    ProductVariant,
)
from market.core.cache import cache
from market.core.errors import DomainError
from market.core.selectors import PriceConverter
from market.sellers.models import Seller, SellerStatus

_M = TypeVar("_M", bound=Model)


class ProductSort(StrEnum):
    NAME = "name"
    PRICE = "price"
    NEWEST = "newest"
    RELEVANCE = "relevance"


@dataclass
class ProductFilter:
    search: str | None = None
    category_ids: list[int] | None = None
    category_slugs: list[str] | None = None
    seller_ids: list[int] | None = None
    seller_slugs: list[str] | None = None
    price_gte: Decimal | None = None  # in the converter's currency
    price_lte: Decimal | None = None
    origin_countries: list[str] | None = None
    in_stock: bool | None = None
    made_to_order: bool | None = None


def product_list_published() -> QuerySet[Product]:
    """What buyers may see: published, by an approved seller, with at least one priced variant."""
    return Product.objects.filter(
        status=ProductStatus.PUBLISHED,
        seller__status=SellerStatus.APPROVED,
        price_min_amount__isnull=False,
    )


class ProductRelation(StrEnum):
    """Related rows a listing can fetch up front, one query each."""

    VARIANTS = "variants"
    IMAGES = "images"
    ATTRIBUTES = "attributes"


ALL_RELATIONS = frozenset(ProductRelation)


def product_get_published(
    *,
    pk: int | None = None,
    slug: str | None = None,
    relations: frozenset[ProductRelation] = ALL_RELATIONS,
) -> Product | None:
    products = product_list_published_for_listing(relations=relations)
    if pk is not None:
        return products.filter(pk=pk).first()
    return products.filter(slug=slug).first()


def product_list_published_for_listing(
    *, relations: frozenset[ProductRelation] = ALL_RELATIONS
) -> QuerySet[Product]:
    """Published products with what a listing shows, in a fixed number of queries.

    ``relations`` names the related rows to prefetch: a page that shows no attributes need
    not load them.
    """
    prefetches: list[str | Prefetch[Any]] = []
    if ProductRelation.VARIANTS in relations:
        prefetches.append(
            Prefetch("variants", queryset=ProductVariant.objects.order_by("sort_order", "pk"))
        )
    if ProductRelation.IMAGES in relations:
        prefetches.append("images")
    if ProductRelation.ATTRIBUTES in relations:
        prefetches.append(
            Prefetch(
                "attribute_values", queryset=AttributeValue.objects.select_related("attribute")
            )
        )
    return (
        product_list_published()
        .select_related("seller", "category")
        .prefetch_related(*prefetches)
        .defer("search_vector")
    )


def category_descendant_ids(
    *, category_ids: list[int] | None = None, category_slugs: list[str] | None = None
) -> set[int]:
    """The given categories (by id or slug) and all below them (one query over the small
    category table). A slug no category has names nothing."""
    children: dict[int | None, list[int]] = {}
    slugs, named = set(category_slugs or ()), list(category_ids or ())
    for pk, parent_id, slug in Category.objects.values_list("pk", "parent_id", "slug"):
        children.setdefault(parent_id, []).append(pk)
        if slug in slugs:
            named.append(pk)
    found, stack = set(), named
    while stack:
        pk = stack.pop()
        if pk in found:
            continue
        found.add(pk)
        stack.extend(children.get(pk, []))
    return found


def _validate(filters: ProductFilter, sort: ProductSort) -> None:
    for name, value in (("priceGte", filters.price_gte), ("priceLte", filters.price_lte)):
        if value is not None and not value.is_finite():  # NaN cannot even be compared
            raise DomainError(
                CatalogErrorCode.INVALID_PRICE_RANGE,
                f"'{name}' must be a number.",
                field=f"filter.{name}",
            )
        if value is not None and value < 0:
            raise DomainError(
                CatalogErrorCode.INVALID_PRICE_RANGE,
                f"'{name}' must not be negative.",
                field=f"filter.{name}",
            )
    if (
        filters.price_gte is not None
        and filters.price_lte is not None
        and filters.price_gte > filters.price_lte
    ):
        raise DomainError(
            CatalogErrorCode.INVALID_PRICE_RANGE,
            "'priceGte' is greater than 'priceLte'.",
            field="filter.priceGte",
        )
    if sort == ProductSort.RELEVANCE and not (filters.search or "").strip():
        raise DomainError(
            CatalogErrorCode.INVALID_SEARCH,
            "Sorting by relevance needs a search text.",
            field="sortBy",
        )
    if filters.search is not None and len(filters.search) > 200:
        raise DomainError(
            CatalogErrorCode.INVALID_SEARCH,
            "Search text is limited to 200 characters.",
            field="filter.search",
        )


def _price_bound(converter: PriceConverter, amount: Decimal) -> Decimal:
    """``amount`` in the base currency, but no higher than just above the dearest price a
    variant can have: a bound beyond it means the same, and 1E+999999999 overflowed the
    database's numeric type (a 500)."""
    price = ProductVariant._meta.get_field("price_amount")
    return min(converter.to_base(amount), Decimal(10) ** (price.max_digits - price.decimal_places))


def product_list_filtered(
    *,
    filters: ProductFilter,
    sort: ProductSort,
    descending: bool | None,
    converter: PriceConverter,
    relations: frozenset[ProductRelation] = ALL_RELATIONS,
) -> QuerySet[Product]:
    """The public product listing: filter, search and sort, ready to paginate."""
    _validate(filters, sort)
    products = product_list_published_for_listing(relations=relations)
    if filters.category_ids:
        products = products.filter(
            category_id__in=category_descendant_ids(category_ids=filters.category_ids)
        )
    if filters.category_slugs:
        products = products.filter(
            category_id__in=category_descendant_ids(category_slugs=filters.category_slugs)
        )
    if filters.seller_ids:
        products = products.filter(seller_id__in=filters.seller_ids)
    if filters.seller_slugs:
        products = products.filter(seller__slug__in=filters.seller_slugs)
    if filters.origin_countries:
        products = products.filter(origin_country__in=filters.origin_countries)
    if filters.made_to_order is not None:
        wanted = Availability.MADE_TO_ORDER if filters.made_to_order else Availability.READY_TO_SHIP
        products = products.filter(availability=wanted)
    if filters.in_stock is not None:
        stocked = Exists(
            ProductVariant.objects.filter(product=OuterRef("pk"), stock_quantity__gt=0)
        )
        products = products.filter(stocked if filters.in_stock else ~stocked)
    if filters.price_gte is not None or filters.price_lte is not None:
        in_range = ProductVariant.objects.filter(product=OuterRef("pk"))
        if filters.price_gte is not None:
            in_range = in_range.filter(price_amount__gte=_price_bound(converter, filters.price_gte))
        if filters.price_lte is not None:
            in_range = in_range.filter(price_amount__lte=_price_bound(converter, filters.price_lte))
        products = products.filter(Exists(in_range))

    search = (filters.search or "").strip()
    if search:
        products = _search(products, search)

    if descending is None:
        descending = sort in (ProductSort.NEWEST, ProductSort.RELEVANCE)
    key = {
        ProductSort.NAME: F("name"),
        ProductSort.PRICE: F("price_min_amount"),
        ProductSort.NEWEST: F("published_at"),
        ProductSort.RELEVANCE: F("relevance"),
    }[sort]
    # Plain orders (no NULLS LAST): listed products always have a name, a publication time and
    # a price, and PostgreSQL then walks the (status, key, id) indexes in either direction.
    order = [key.desc(), F("pk").desc()] if descending else [key.asc(), F("pk").asc()]
    return products.order_by(*order)


def _search(products: QuerySet[Product], text: str) -> QuerySet[Product]:
    if connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config="english")
        return products.filter(search_vector=query).annotate(
            relevance=SearchRank(F("search_vector"), query)
        )
    # SQLite has no full-text index here: a plain match, name hits ranked above the rest.
    match = (
        Q(name__icontains=text)
        | Q(maker_name__icontains=text)
        | Q(seller__name__icontains=text)
        | Q(attribute_values__name__icontains=text)
        | Q(description__icontains=text)
    )
    matching_ids = Product.objects.filter(match).values("pk")
    return products.filter(pk__in=matching_ids).annotate(
        relevance=Case(
            When(name__icontains=text, then=Value(2)), default=Value(1), output_field=IntegerField()
        )
    )


ORIGIN_COUNTRIES_CACHE_KEY = "catalog:origin-countries"
ORIGIN_COUNTRIES_CACHE_SECONDS = 300


def product_origin_countries() -> list[str]:
    """The countries public work comes from (ISO codes), for a filter to offer only those.

    A scan of the whole catalogue (~10 ms at 10,000 products) that every catalogue page asks
    for, and that changes only when a maker lists work from a new country: kept in the cache
    for five minutes (a new country shows in the filter after at most that long)."""

    def scan() -> list[str]:
        published = product_list_published().order_by()
        return sorted(set(published.values_list("origin_country", flat=True).distinct()))

    countries = cache.get_or_set(ORIGIN_COUNTRIES_CACHE_KEY, scan, ORIGIN_COUNTRIES_CACHE_SECONDS)
    return list(countries or ())


def category_list() -> list[Category]:
    return list(Category.objects.order_by("sort_order", "name"))


# --- Gatekeepers: the only way to fetch a listing someone wants to change -----------------------
# Someone else's product answers exactly like one that does not exist: same code, same message.


def _not_found(what: str, field: str) -> DomainError:
    return DomainError(CatalogErrorCode.NOT_FOUND, f"No such {what}.", field=field)


def _one(queryset: QuerySet[_M], *, pk: int | None, what: str, field: str) -> _M:
    # ``pk`` is None when the caller's global id named no such object: not found, like any other.
    found = queryset.filter(pk=pk).first() if isinstance(pk, int) else None
    if found is None:
        raise _not_found(what, field)
    return found


def _products() -> QuerySet[Product]:
    return Product.objects.select_related("seller")


def _variants() -> QuerySet[ProductVariant]:
    return ProductVariant.objects.select_related("product__seller")


def _images() -> QuerySet[ProductImage]:
    return ProductImage.objects.select_related("product__seller")


def product_get_for_seller(*, seller: Seller, product_id: int | None, field: str = "id") -> Product:
    """The seller's own product (any status), or ``not_found``."""
    return _one(_products().filter(seller=seller), pk=product_id, what="product", field=field)


def variant_get_for_seller(
    *, seller: Seller, variant_id: int | None, field: str = "id"
) -> ProductVariant:
    """A variant of one of the seller's products, or ``not_found``."""
    return _one(
        _variants().filter(product__seller=seller), pk=variant_id, what="variant", field=field
    )


def image_get_for_seller(
    *, seller: Seller, image_id: int | None, field: str = "id"
) -> ProductImage:
    """An image of one of the seller's products, or ``not_found``."""
    return _one(_images().filter(product__seller=seller), pk=image_id, what="image", field=field)


# For staff holding ``catalog.manage_catalog``, who may reach every seller's listings.


def product_get_for_manager(*, product_id: int | None, field: str = "id") -> Product:
    return _one(_products(), pk=product_id, what="product", field=field)


def variant_get_for_manager(*, variant_id: int | None, field: str = "id") -> ProductVariant:
    return _one(_variants(), pk=variant_id, what="variant", field=field)


def image_get_for_manager(*, image_id: int | None, field: str = "id") -> ProductImage:
    return _one(_images(), pk=image_id, what="image", field=field)


def product_list_for_seller(*, seller: Seller, status: str | None = None) -> QuerySet[Product]:
    """The seller's own listings in every status (drafts included), newest first."""
    products = Product.objects.filter(seller=seller)
    if status is not None:
        products = products.filter(status=status)
    return (
        products.select_related("seller", "category")
        .prefetch_related(
            Prefetch("variants", queryset=ProductVariant.objects.order_by("sort_order", "pk")),
            "images",
            Prefetch(
                "attribute_values", queryset=AttributeValue.objects.select_related("attribute")
            ),
        )
        .defer("search_vector")
        .order_by("-created_at", "-pk")
    )

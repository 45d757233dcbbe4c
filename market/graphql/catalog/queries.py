import graphene
from django_countries.fields import Country as CountryValue

from market.catalog import imports, selectors
from market.catalog.selectors import ProductFilter, ProductRelation, ProductSort
from market.core.selectors import price_converter_get
from market.graphql.catalog.types import (
    Category,
    CategoryTree,
    Product,
    ProductConnection,
    ProductImport,
    ProductImportConnection,
    ProductStatus,
)
from market.graphql.core.auth import require_seller
from market.graphql.core.errors import argument_error
from market.graphql.core.ids import NodeField, decode_global_ids
from market.graphql.core.pagination import paginate
from market.graphql.core.response_cache import products_shown, stock_filter_used
from market.graphql.core.selection import selected_fields
from market.graphql.core.types import Country

ProductSortField = graphene.Enum.from_enum(ProductSort, name="ProductSortField")


class SortDirection(graphene.Enum):
    ASC = "asc"
    DESC = "desc"


class ProductSortInput(graphene.InputObjectType):
    field = graphene.Field(ProductSortField, required=True)
    direction = graphene.Field(
        SortDirection,
        description="Default: ascending for NAME and PRICE, descending for NEWEST and RELEVANCE.",
    )


class ProductFilterInput(graphene.InputObjectType):
    search = graphene.String(description="Words to find in name, maker, attributes, description.")
    categories = graphene.List(
        graphene.NonNull(graphene.ID), description="Category ids; their subcategories are included."
    )
    category_slugs = graphene.List(
        graphene.NonNull(graphene.String),
        description="Category slugs, as in page addresses; their subcategories are included.",
    )
    sellers = graphene.List(graphene.NonNull(graphene.ID))
    seller_slugs = graphene.List(
        graphene.NonNull(graphene.String), description="Makers' slugs, as in page addresses."
    )
    price_gte = graphene.Decimal(description="Lowest variant price, in the query's currency.")
    price_lte = graphene.Decimal(description="Highest variant price, in the query's currency.")
    origin_countries = graphene.List(
        graphene.NonNull(graphene.String), description="ISO 3166-1 alpha-2 codes."
    )
    in_stock = graphene.Boolean()
    made_to_order = graphene.Boolean()


# A filter names a handful of categories, makers or countries; a list of thousands would only
# make one SQL statement with thousands of parameters (variables escape the query size limit).
MAX_FILTER_VALUES = 100
MAX_FILTER_VALUE_LENGTH = 200


def _capped(data, key: str, field: str) -> None:
    """Refuses a list of more than ``MAX_FILTER_VALUES`` different values (a value said twice
    filters the same) and keeps one of each."""
    values = data.get(key)
    if values is None:
        return
    values = data[key] = list(dict.fromkeys(values))
    if len(values) > MAX_FILTER_VALUES or any(
        len(value) > MAX_FILTER_VALUE_LENGTH for value in values
    ):
        raise argument_error(
            field,
            f"At most {MAX_FILTER_VALUES} values of at most {MAX_FILTER_VALUE_LENGTH} characters.",
        )


def _filters_from_input(data) -> ProductFilter:
    data = data or {}
    for key, field in (
        ("categories", "filter.categories"),
        ("category_slugs", "filter.categorySlugs"),
        ("sellers", "filter.sellers"),
        ("seller_slugs", "filter.sellerSlugs"),
        ("origin_countries", "filter.originCountries"),
    ):
        _capped(data, key, field)
    countries = data.get("origin_countries")
    if countries is not None:
        countries = [c.strip().upper() for c in countries]
        bad = [c for c in countries if len(c) != 2 or not c.isalpha()]
        if bad:
            raise argument_error(
                "filter.originCountries", f"Not ISO 3166-1 alpha-2 country codes: {', '.join(bad)}."
            )
    return ProductFilter(
        search=data.get("search"),
        category_ids=decode_global_ids("filter.categories", data.get("categories"), "Category"),
        category_slugs=data.get("category_slugs"),
        seller_ids=decode_global_ids("filter.sellers", data.get("sellers"), "Seller"),
        seller_slugs=data.get("seller_slugs"),
        price_gte=data.get("price_gte"),
        price_lte=data.get("price_lte"),
        origin_countries=countries,
        in_stock=data.get("in_stock"),
        made_to_order=data.get("made_to_order"),
    )


def _sort_from_input(data, filters: ProductFilter) -> tuple[ProductSort, bool | None]:
    if not data:
        return (
            ProductSort.RELEVANCE if (filters.search or "").strip() else ProductSort.NEWEST,
            None,
        )
    direction = data.get("direction")
    # graphene's Enum metaclass turns the class attributes into members with a ``value``.
    desc = SortDirection.DESC.value  # type: ignore[attr-defined]
    descending = None if direction is None else direction == desc
    return ProductSort(data["field"]), descending


def _relations_for(fields: set[str]) -> frozenset[ProductRelation]:
    wanted = set()
    if fields & {"variants", "inStock"}:
        wanted.add(ProductRelation.VARIANTS)
    if fields & {"images", "thumbnail"}:
        wanted.add(ProductRelation.IMAGES)
    if "attributes" in fields:
        wanted.add(ProductRelation.ATTRIBUTES)
    return frozenset(wanted)


def _with_converter(products, converter):
    for product in products:
        product._converter = converter
    return products


class CatalogQueries(graphene.ObjectType):
    products = graphene.Field(
        graphene.NonNull(ProductConnection),
        first=graphene.Int(),
        after=graphene.String(),
        last=graphene.Int(),
        before=graphene.String(),
        filter=ProductFilterInput(),
        sort_by=ProductSortInput(),
        currency=graphene.String(description="ISO 4217 code for prices; default the base."),
        description="Published products. Page size at most 100.",
    )
    product = graphene.Field(
        Product, id=graphene.ID(), slug=graphene.String(), currency=graphene.String()
    )
    product_origin_countries = graphene.List(
        graphene.NonNull(Country),
        required=True,
        description="The countries published work comes from, for `originCountries`.",
    )
    categories = graphene.List(
        graphene.NonNull(Category),
        required=True,
        description="Top-level categories; walk `children` for the tree.",
    )
    category = graphene.Field(Category, slug=graphene.String(required=True))
    seller_products = graphene.Field(
        graphene.NonNull(ProductConnection),
        first=graphene.Int(),
        after=graphene.String(),
        status=ProductStatus(),
        description="The signed-in seller's own products in every status, newest first.",
    )

    def resolve_products(
        self,
        info,
        first=None,
        after=None,
        last=None,
        before=None,
        filter=None,
        sort_by=None,
        currency=None,
    ):
        converter = price_converter_get(currency=currency)
        filters = _filters_from_input(filter)
        sort, descending = _sort_from_input(sort_by, filters)
        queryset = selectors.product_list_filtered(
            filters=filters,
            sort=sort,
            descending=descending,
            converter=converter,
            relations=_relations_for(selected_fields(info, "edges", "node")),
        )
        page = paginate(
            queryset, prefix="product", first=first, after=after, last=last, before=before
        )
        _with_converter(page.items, converter)
        products_shown(info.context, [product.pk for product in page.items])
        if filters.in_stock is not None:
            stock_filter_used(info.context)
        return ProductConnection.from_page(page)

    def resolve_product(self, info, id=None, slug=None, currency=None):
        if (id is None) == (slug is None):
            raise argument_error("id", "Give exactly one of 'id' or 'slug'.")
        converter = price_converter_get(currency=currency)
        pk = decode_global_ids("id", [id], "Product")[0] if id is not None else None
        product = selectors.product_get_published(
            pk=pk, slug=slug, relations=_relations_for(selected_fields(info))
        )
        if product is not None:
            products_shown(info.context, [product.pk])
        return _with_converter([product], converter)[0] if product else None

    def resolve_seller_products(self, info, first=None, after=None, status=None):
        seller = require_seller(info)
        queryset = selectors.product_list_for_seller(
            seller=seller, status=None if status is None else getattr(status, "value", status)
        )
        return ProductConnection.from_page(
            paginate(queryset, prefix="sellerproduct", first=first, after=after)
        )

    def resolve_product_origin_countries(self, info):
        return [
            Country.from_field(CountryValue(code=code))
            for code in selectors.product_origin_countries()
        ]

    def resolve_categories(self, info):
        return CategoryTree.for_request(info).children.get(None, [])

    def resolve_category(self, info, slug):
        tree = CategoryTree.for_request(info)
        return next((c for c in tree.by_id.values() if c.slug == slug), None)


class NodeQueries(graphene.ObjectType):
    node = NodeField()


class ProductImportQueries(graphene.ObjectType):
    product_import = graphene.Field(
        ProductImport,
        id=graphene.ID(required=True),
        description="One of the signed-in seller's imports.",
    )
    product_imports = graphene.Field(
        graphene.NonNull(ProductImportConnection),
        first=graphene.Int(),
        after=graphene.String(),
        description="The signed-in seller's imports, newest first.",
    )

    def resolve_product_import(self, info, id):
        seller = require_seller(info)
        pk = decode_global_ids("id", [id], "ProductImport")[0]
        return imports.product_import_get_for_seller(seller=seller, import_id=pk)

    def resolve_product_imports(self, info, first=None, after=None):
        seller = require_seller(info)
        page = paginate(
            imports.product_import_list_for_seller(seller=seller),
            prefix="productimport",
            first=first,
            after=after,
        )
        return ProductImportConnection.from_page(page)

from __future__ import annotations

import graphene
from django_countries import countries
from graphene import relay
from graphene_django import DjangoObjectType
from graphql_relay import to_global_id

from market.catalog import selectors
from market.catalog.import_models import ProductImportStatus as ProductImportStatusChoices
from market.catalog.models import Availability as AvailabilityChoices
from market.catalog.models import Category as CategoryModel
from market.catalog.models import Product as ProductModel
from market.catalog.models import ProductImage as ProductImageModel
from market.catalog.models import ProductStatus as ProductStatusChoices
from market.catalog.models import ProductVariant as ProductVariantModel
from market.core.selectors import price_converter_get
from market.graphql.core.context import absolute_url, request_memo
from market.graphql.core.errors import argument_error
from market.graphql.core.response_cache import product_stock_shown
from market.graphql.core.types import (
    BoundToConverter,
    CountableConnection,
    Country,
    Money,
    MoneyRange,
)
from market.graphql.sellers.types import Seller
from market.graphql.shipping.types import DeliveryEstimate
from market.shipping.selectors import delivery_estimate

Availability = graphene.Enum.from_enum(AvailabilityChoices, name="Availability")
ProductStatus = graphene.Enum.from_enum(ProductStatusChoices, name="ProductStatus")
ProductImportStatus = graphene.Enum.from_enum(
    ProductImportStatusChoices, name="ProductImportStatus"
)


class CategoryTree:
    """All categories, indexed for parent/children walks without more queries."""

    def __init__(self, categories):
        self.by_id = {c.pk: c for c in categories}
        self.children: dict[int | None, list] = {}
        for category in categories:
            self.children.setdefault(category.parent_id, []).append(category)

    @staticmethod
    def for_request(info) -> CategoryTree:
        return request_memo(info, "category_tree", lambda: CategoryTree(selectors.category_list()))


class Category(DjangoObjectType):
    parent = graphene.Field(lambda: Category)
    children = graphene.List(graphene.NonNull(lambda: Category), required=True)
    level = graphene.Int(required=True, description="0 for a top-level category.")

    class Meta:
        model = CategoryModel
        interfaces = (relay.Node,)
        fields = ["id", "name", "slug", "description", "parent"]

    def resolve_parent(self, info):
        return CategoryTree.for_request(info).by_id.get(self.parent_id)

    def resolve_children(self, info):
        return CategoryTree.for_request(info).children.get(self.pk, [])

    def resolve_level(self, info):
        tree, level, parent_id = CategoryTree.for_request(info), 0, self.parent_id
        while parent_id is not None and level < 50:
            level += 1
            parent_id = getattr(tree.by_id.get(parent_id), "parent_id", None)
        return level


class ProductVariant(DjangoObjectType):
    price = graphene.Field(
        Money, required=True, description="In the currency the product was asked for."
    )
    quantity_available = graphene.Int(required=True)
    in_stock = graphene.Boolean(required=True)

    class Meta:
        model = ProductVariantModel
        interfaces = (relay.Node,)
        fields = ["id", "sku", "name"]

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(product__in=selectors.product_list_published())

    def resolve_price(self, info):
        return Money.convert(self.price_amount, _converter_of(self, info))

    def resolve_quantity_available(self, info):
        product_stock_shown(info.context, [self.product_id])
        return self.quantity_available

    def resolve_in_stock(self, info):
        return self.quantity_available > 0


class ProductImage(graphene.ObjectType):
    id = graphene.ID(required=True, description="For reordering and deleting images.")
    url = graphene.String(required=True)
    thumbnail_url = graphene.String(
        required=True, description="A small version for listings (the original until it is made)."
    )
    alt = graphene.String(required=True)
    width = graphene.Int(description="Of `url`, in pixels; null while not known.")
    height = graphene.Int(description="Of `url`, in pixels; null while not known.")
    thumbnail_width = graphene.Int(
        description="Of `thumbnailUrl`, in pixels; null while not known."
    )
    thumbnail_height = graphene.Int(
        description="Of `thumbnailUrl`, in pixels; null while not known."
    )

    @staticmethod
    def from_model(image: ProductImageModel, info) -> ProductImage:
        has_thumbnail = bool(image.thumbnail)
        thumb = image.thumbnail if has_thumbnail else image.image
        return ProductImage(
            id=to_global_id("ProductImage", image.pk),
            url=absolute_url(info, image.image.url),
            thumbnail_url=absolute_url(info, thumb.url),
            alt=image.alt,
            width=image.width,
            height=image.height,
            thumbnail_width=image.thumbnail_width if has_thumbnail else image.width,
            thumbnail_height=image.thumbnail_height if has_thumbnail else image.height,
        )


class AttributeValue(graphene.ObjectType):
    name = graphene.String(required=True)
    slug = graphene.String(required=True)


class ProductAttribute(graphene.ObjectType):
    name = graphene.String(required=True)
    slug = graphene.String(required=True)
    values = graphene.List(graphene.NonNull(AttributeValue), required=True)


class Dimensions(graphene.ObjectType):
    length_mm = graphene.Int()
    width_mm = graphene.Int()
    height_mm = graphene.Int()


class ExportData(graphene.ObjectType):
    """What customs papers and duty estimates need."""

    is_exportable = graphene.Boolean(required=True)
    hs_code = graphene.String(description="Harmonized System code, 6–10 digits.")
    origin_country = graphene.Field(Country, required=True)
    weight_grams = graphene.Int()
    dimensions = graphene.Field(Dimensions, required=True)


class Provenance(graphene.ObjectType):
    """Who made it and how it reaches the buyer."""

    maker_name = graphene.String(required=True)
    made_year = graphene.Int()
    availability = graphene.Field(Availability, required=True)
    processing_days = graphene.Int(required=True)
    edition_size = graphene.Int(description="Null for an open edition.")
    edition_number = graphene.Int()


def _converter_of(obj, info):
    """The price converter the enclosing query chose (base currency when none)."""
    converter = getattr(obj, "_converter", None)
    if converter is None:
        product = getattr(obj, "product", None) if isinstance(obj, ProductVariantModel) else None
        converter = getattr(product, "_converter", None)
    if converter is None:
        converter = request_memo(info, "converter:base", lambda: price_converter_get(currency=None))
    return converter


class Product(DjangoObjectType):
    seller = graphene.Field(Seller, required=True)
    category = graphene.Field(Category, required=True)
    variants = graphene.List(graphene.NonNull(ProductVariant), required=True)
    images = graphene.List(graphene.NonNull(ProductImage), required=True)
    thumbnail = graphene.Field(ProductImage, description="The first image, for listings.")
    attributes = graphene.List(graphene.NonNull(ProductAttribute), required=True)
    price_range = graphene.Field(MoneyRange, required=True)
    in_stock = graphene.Boolean(required=True)
    provenance = graphene.Field(Provenance, required=True)
    export = graphene.Field(ExportData, required=True)
    status = graphene.Field(
        ProductStatus, required=True, description="Buyers only ever see published products."
    )
    delivery_estimate = graphene.Field(
        DeliveryEstimate,
        required=True,
        country=graphene.String(required=True, description="ISO 3166-1 alpha-2, e.g. DE."),
        currency=graphene.String(description="Default: the currency the product was asked in."),
        description="What sending one item (the cheapest version) alone to `country` would "
        "cost: delivery methods and prices, DAP/DDP, import duties.",
    )

    class Meta:
        model = ProductModel
        interfaces = (relay.Node,)
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "seller",
            "category",
            "created_at",
            "updated_at",
            "published_at",
        ]

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(pk__in=selectors.product_list_published().values("pk"))

    def resolve_status(self, info):
        return self.status

    def resolve_delivery_estimate(self, info, country, currency=None):
        code = country.strip().upper()
        if code not in countries:
            raise argument_error("country", f"Not an ISO 3166-1 alpha-2 country code: {country!r}.")
        converter = (
            price_converter_get(currency=currency) if currency else _converter_of(self, info)
        )
        estimate = delivery_estimate(
            country=code,
            weight_grams=self.weight_grams,
            processing_days=self.processing_days,
            price_base=self.price_min_amount,
            hs_code=self.hs_code,
            exportable=self.is_exportable,
            converter=converter,
        )
        return BoundToConverter(estimate, converter)

    def resolve_variants(self, info):
        variants = list(self.variants.all())
        for variant in variants:
            variant._converter = _converter_of(self, info)
        return variants

    def resolve_images(self, info):
        return [ProductImage.from_model(image, info) for image in self.images.all()]

    def resolve_thumbnail(self, info):
        images = self.images.all()
        return ProductImage.from_model(images[0], info) if images else None

    def resolve_attributes(self, info):
        grouped: dict[int, ProductAttribute] = {}
        for value in sorted(
            self.attribute_values.all(),
            key=lambda v: (v.attribute.sort_order, v.attribute.name, v.name),
        ):
            attribute = grouped.setdefault(
                value.attribute_id,
                ProductAttribute(name=value.attribute.name, slug=value.attribute.slug, values=[]),
            )
            attribute.values.append(AttributeValue(name=value.name, slug=value.slug))
        return list(grouped.values())

    def resolve_price_range(self, info):
        converter = _converter_of(self, info)
        return MoneyRange(
            start=Money.convert(self.price_min_amount, converter),
            stop=Money.convert(self.price_max_amount, converter),
        )

    def resolve_in_stock(self, info):
        return any(v.quantity_available > 0 for v in self.variants.all())

    def resolve_provenance(self, info):
        return Provenance(
            maker_name=self.maker_name or self.seller.name,
            made_year=self.made_year,
            availability=self.availability,
            processing_days=self.processing_days,
            edition_size=self.edition_size,
            edition_number=self.edition_number,
        )

    def resolve_export(self, info):
        return ExportData(
            is_exportable=self.is_exportable,
            hs_code=self.hs_code or None,
            origin_country=Country.from_field(self.origin_country),
            weight_grams=self.weight_grams,
            dimensions={
                "length_mm": self.length_mm,
                "width_mm": self.width_mm,
                "height_mm": self.height_mm,
            },
        )


class ProductConnection(CountableConnection):
    class Meta:
        node = Product


# --- Bulk listing by CSV: a seller uploads a file, a worker imports it, the seller polls it.


class ProductImportRowError(graphene.ObjectType):
    """A row of the file that was not imported (nor anything else of its product)."""

    line = graphene.Int(
        description="Line in the file, the header being line 1; null when the "
        "problem is not one row's."
    )
    field = graphene.String(description="The CSV column at fault; null for the whole row.")
    code = graphene.String(
        required=True,
        description="Machine-readable reason, e.g. "
        "`required`, `invalid`, `not_found`, "
        "`duplicate_sku`, `invalid_price`.",
    )
    message = graphene.String(required=True)


class ProductImport(graphene.ObjectType):
    """One uploaded CSV and how far its import got (poll it while it runs)."""

    id = graphene.ID(required=True)
    status = graphene.Field(ProductImportStatus, required=True)
    original_name = graphene.String(required=True)
    total_rows = graphene.Int(required=True)
    processed_rows = graphene.Int(required=True)
    products_created = graphene.Int(
        required=True, description="Imported as drafts: publish them one by one."
    )
    variants_created = graphene.Int(required=True)
    errors = graphene.List(graphene.NonNull(ProductImportRowError), required=True)
    failure_message = graphene.String(description="Why a failed import stopped.")
    created_at = graphene.DateTime(required=True)
    started_at = graphene.DateTime()
    finished_at = graphene.DateTime()

    def resolve_id(self, info):
        return relay.Node.to_global_id("ProductImport", self.pk)

    def resolve_errors(self, info):
        return [ProductImportRowError(**error) for error in self.errors]

    def resolve_failure_message(self, info):
        return self.failure_message or None


class ProductImportConnection(CountableConnection):
    class Meta:
        node = ProductImport

"""Creating, editing and moving a listing through its life (draft → published → archived)."""

from collections.abc import Callable
from typing import Any

import graphene

from market.catalog import services
from market.catalog.error_codes import CatalogErrorCode
from market.core.errors import DomainError
from market.graphql.catalog.mutations.access import catalog_access
from market.graphql.catalog.types import Availability, Product
from market.graphql.core.auth import require_seller
from market.graphql.core.ids import pk_from_global_id
from market.graphql.core.mutations import BaseMutation, error_type

CatalogError = error_type("CatalogError", CatalogErrorCode)
MAX_ATTRIBUTES = services.MAX_ATTRIBUTES


class ProductAttributeInput(graphene.InputObjectType):
    slug = graphene.String(required=True, description="An existing attribute, e.g. `material`.")
    values = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Value names; a new name is added to the attribute.",
    )


class ProductFields:
    description = graphene.String()
    attributes = graphene.List(
        graphene.NonNull(ProductAttributeInput),
        description=f"At most {MAX_ATTRIBUTES}; replaces all values.",
    )
    maker_name = graphene.String(description="Default: the seller's name.")
    made_year = graphene.Int()
    availability = Availability()
    processing_days = graphene.Int(description="Working days before the item ships.")
    edition_size = graphene.Int(description="Null for an open edition.")
    edition_number = graphene.Int()
    is_exportable = graphene.Boolean()
    hs_code = graphene.String(description="Harmonized System code, 6–10 digits.")
    origin_country = graphene.String(description="ISO 3166-1 alpha-2 code; default AZ.")
    weight_grams = graphene.Int()
    length_mm = graphene.Int()
    width_mm = graphene.Int()
    height_mm = graphene.Int()


class ProductCreateInput(ProductFields, graphene.InputObjectType):
    name = graphene.String(required=True)
    category_id = graphene.ID(required=True)


class ProductUpdateInput(ProductFields, graphene.InputObjectType):
    """Only the fields given change; null clears an optional number or text."""

    name = graphene.String()
    category_id = graphene.ID()


_CLEARABLE_TEXT = {"description", "maker_name", "hs_code"}


def _attributes(items) -> dict[str, list[str]]:
    if len(items) > MAX_ATTRIBUTES:
        raise DomainError(
            CatalogErrorCode.INVALID,
            f"At most {MAX_ATTRIBUTES} attributes per product.",
            field="attributes",
        )
    chosen: dict[str, list[str]] = {}
    for item in items:
        chosen.setdefault(item["slug"], []).extend(item["values"])
    return chosen


def _service_fields(data, *, partial: bool) -> dict:
    """The input as product service keywords. On create an omitted or null field keeps the
    default; on update only the given fields change."""
    fields: dict[str, Any] = {}
    for name, value in dict(data).items():
        if value is None and not partial:
            continue
        if name == "category_id":
            fields[name] = pk_from_global_id(value, "Category")
        elif name == "attributes":
            fields[name] = _attributes(value or [])
        elif name == "availability" and value is not None:
            fields[name] = getattr(value, "value", value)
        elif value is None and name in _CLEARABLE_TEXT:
            fields[name] = ""
        else:
            fields[name] = value
    return fields


class ProductMutation(BaseMutation):
    product = graphene.Field(Product)

    class Meta:
        abstract = True


class ProductCreate(ProductMutation):
    """A new draft listing in the signed-in seller's shop (any seller status)."""

    class Arguments:
        input = ProductCreateInput(required=True)

    class Meta:
        error_type = CatalogError

    @classmethod
    def perform(cls, root, info, input):
        seller = require_seller(info)
        return {
            "product": services.product_create(
                seller=seller, **_service_fields(input, partial=False)
            )
        }


class ProductUpdate(ProductMutation):
    """Edit a listing; a published one must keep its export data."""

    class Arguments:
        id = graphene.ID(required=True)
        input = ProductUpdateInput(required=True)

    class Meta:
        error_type = CatalogError

    @classmethod
    def perform(cls, root, info, id, input):
        product = catalog_access(info).product(id)
        return {
            "product": services.product_update(
                product=product, **_service_fields(input, partial=True)
            )
        }


class ProductTransitionMutation(ProductMutation):
    service: Callable[..., Any]

    class Meta:
        abstract = True

    @classmethod
    def perform(cls, root, info, id):
        access = catalog_access(info)
        product = access.product(id)
        return {"product": cls.service(product=product, actor=access.user)}


class ProductPublish(ProductTransitionMutation):
    """List a draft: the seller must be approved, the product priced and, if exportable,
    complete with its export data."""

    service = staticmethod(services.product_publish)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = CatalogError


class ProductUnpublish(ProductTransitionMutation):
    """Take a published product off the storefront (back to draft)."""

    service = staticmethod(services.product_unpublish)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = CatalogError


class ProductArchive(ProductTransitionMutation):
    """Retire a draft or published product."""

    service = staticmethod(services.product_archive)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = CatalogError


class ProductRestore(ProductTransitionMutation):
    """Bring an archived product back as a draft."""

    service = staticmethod(services.product_restore)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = CatalogError


class ProductDelete(BaseMutation):
    """Delete a draft or archived product for good; a published one must be unpublished or
    archived first."""

    deleted_id = graphene.ID()

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = CatalogError

    @classmethod
    def perform(cls, root, info, id):
        access = catalog_access(info)
        services.product_delete(product=access.product(id), actor=access.user)
        return {"deleted_id": id}

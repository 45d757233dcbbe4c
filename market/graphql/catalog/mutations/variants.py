"""A listing's variants: what a buyer picks, with its SKU, price (base currency) and stock."""

import graphene

from market.catalog import services
from market.graphql.catalog.mutations.access import catalog_access
from market.graphql.catalog.mutations.products import CatalogError
from market.graphql.catalog.types import Product, ProductVariant
from market.graphql.core.mutations import BaseMutation


class ProductVariantCreateInput(graphene.InputObjectType):
    sku = graphene.String(required=True, description="Unique across the marketplace.")
    name = graphene.String()
    price = graphene.Decimal(required=True, description="In the base currency (AZN).")
    stock_quantity = graphene.Int(required=True)


class ProductVariantUpdateInput(graphene.InputObjectType):
    """Only the fields given change."""

    sku = graphene.String()
    name = graphene.String()
    price = graphene.Decimal(description="In the base currency (AZN).")
    stock_quantity = graphene.Int()


def _variant_fields(data) -> dict:
    fields = {}
    for name, value in dict(data).items():
        if name == "price":
            fields["price_amount"] = value
        elif name == "name":
            fields["name"] = value or ""
        else:
            fields[name] = value
    return fields


class VariantMutation(BaseMutation):
    variant = graphene.Field(ProductVariant)
    product = graphene.Field(Product)

    class Meta:
        abstract = True


class ProductVariantCreate(VariantMutation):
    class Arguments:
        product_id = graphene.ID(required=True)
        input = ProductVariantCreateInput(required=True)

    class Meta:
        error_type = CatalogError

    @classmethod
    def perform(cls, root, info, product_id, input):
        product = catalog_access(info).product(product_id, field="productId")
        variant = services.product_variant_create(product=product, **_variant_fields(input))
        return {"variant": variant, "product": variant.product}


class ProductVariantUpdate(VariantMutation):
    class Arguments:
        id = graphene.ID(required=True)
        input = ProductVariantUpdateInput(required=True)

    class Meta:
        error_type = CatalogError

    @classmethod
    def perform(cls, root, info, id, input):
        variant = catalog_access(info).variant(id)
        variant = services.product_variant_update(variant=variant, **_variant_fields(input))
        return {"variant": variant, "product": variant.product}


class ProductVariantDelete(BaseMutation):
    """Remove a variant; a published product keeps at least one."""

    product = graphene.Field(Product)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = CatalogError

    @classmethod
    def perform(cls, root, info, id):
        variant = catalog_access(info).variant(id)
        services.product_variant_delete(variant=variant)
        variant.product.refresh_from_db()
        return {"product": variant.product}


class ProductVariantStockSet(VariantMutation):
    """Set how many units are in stock (a count, not a change)."""

    class Arguments:
        id = graphene.ID(required=True)
        quantity = graphene.Int(required=True)

    class Meta:
        error_type = CatalogError

    @classmethod
    def perform(cls, root, info, id, quantity):
        variant = catalog_access(info).variant(id)
        variant = services.product_variant_stock_set(variant=variant, quantity=quantity)
        return {"variant": variant, "product": variant.product}

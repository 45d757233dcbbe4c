"""Sellers managing their own listings; staff with ``catalog.manage_catalog`` any listing."""

import graphene

from market.graphql.catalog.mutations.images import (
    ProductImageCreate,
    ProductImageDelete,
    ProductImageReorder,
)
from market.graphql.catalog.mutations.imports import ProductImportMutations
from market.graphql.catalog.mutations.products import (
    ProductArchive,
    ProductCreate,
    ProductDelete,
    ProductPublish,
    ProductRestore,
    ProductUnpublish,
    ProductUpdate,
)
from market.graphql.catalog.mutations.variants import (
    ProductVariantCreate,
    ProductVariantDelete,
    ProductVariantStockSet,
    ProductVariantUpdate,
)

__all__ = ["CatalogMutations", "ProductImportMutations"]


class CatalogMutations(graphene.ObjectType):
    """Mutations of this area; the root Mutation type inherits them."""

    product_create = ProductCreate.Field()
    product_update = ProductUpdate.Field()
    product_publish = ProductPublish.Field()
    product_unpublish = ProductUnpublish.Field()
    product_archive = ProductArchive.Field()
    product_restore = ProductRestore.Field()
    product_delete = ProductDelete.Field()
    product_variant_create = ProductVariantCreate.Field()
    product_variant_update = ProductVariantUpdate.Field()
    product_variant_delete = ProductVariantDelete.Field()
    product_variant_stock_set = ProductVariantStockSet.Field()
    product_image_create = ProductImageCreate.Field()
    product_image_reorder = ProductImageReorder.Field()
    product_image_delete = ProductImageDelete.Field()

"""A listing's photos: upload (multipart), order and removal."""

import graphene
from graphene_file_upload.scalars import Upload

from market.catalog import services
from market.catalog.error_codes import CatalogErrorCode
from market.core.errors import DomainError
from market.graphql.catalog.mutations.access import catalog_access
from market.graphql.catalog.mutations.products import CatalogError
from market.graphql.catalog.types import Product, ProductImage
from market.graphql.core.ids import pk_from_global_id
from market.graphql.core.mutations import BaseMutation

MAX_IMAGE_IDS = services.MAX_IMAGES_PER_PRODUCT


class ProductImageCreate(BaseMutation):
    """Upload a JPEG, PNG or WebP photo (multipart request); its thumbnail follows shortly."""

    image = graphene.Field(ProductImage)
    product = graphene.Field(Product)

    class Arguments:
        product_id = graphene.ID(required=True)
        image = Upload(required=True)
        alt = graphene.String()

    class Meta:
        error_type = CatalogError

    @classmethod
    def perform(cls, root, info, product_id, image, alt=None):
        product = catalog_access(info).product(product_id, field="productId")
        if not hasattr(image, "read") or not hasattr(image, "size"):
            raise DomainError(
                CatalogErrorCode.INVALID_IMAGE,
                "Send the image as a file in a multipart request.",
                field="image",
            )
        created = services.product_image_add(
            product=product, upload=image, alt=(alt or "").strip()[:200]
        )
        return {"image": ProductImage.from_model(created, info), "product": product}


class ProductImageReorder(BaseMutation):
    """Put the product's images in this order (each of its images exactly once)."""

    product = graphene.Field(Product)

    class Arguments:
        product_id = graphene.ID(required=True)
        image_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)

    class Meta:
        error_type = CatalogError

    @classmethod
    def perform(cls, root, info, product_id, image_ids):
        product = catalog_access(info).product(product_id, field="productId")
        if len(image_ids) > MAX_IMAGE_IDS:
            raise DomainError(
                CatalogErrorCode.INVALID, f"At most {MAX_IMAGE_IDS} image ids.", field="imageIds"
            )
        pks = [pk_from_global_id(image_id, "ProductImage") for image_id in image_ids]
        if None in pks:
            raise DomainError(
                CatalogErrorCode.INVALID, "Not every id is an image id.", field="imageIds"
            )
        services.product_image_reorder(
            product=product, image_ids=[pk for pk in pks if pk is not None]
        )
        return {"product": product}


class ProductImageDelete(BaseMutation):
    product = graphene.Field(Product)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = CatalogError

    @classmethod
    def perform(cls, root, info, id):
        image = catalog_access(info).image(id)
        services.product_image_delete(image=image)
        return {"product": image.product}

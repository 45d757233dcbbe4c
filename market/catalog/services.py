from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Max, Min, OuterRef, Subquery
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from market.catalog.error_codes import CatalogErrorCode
from market.catalog.models import Product, ProductImage, ProductStatus, ProductVariant
from market.core.errors import DomainError
from market.core.tasks import enqueue_on_commit

# Weighted document for full-text search: name (A), maker and attribute values (B),
# description (C). One statement refreshes any number of products.
_SEARCH_VECTOR_SQL = """
UPDATE catalog_product p SET search_vector =
    setweight(to_tsvector('english', coalesce(p.name, '')), 'A')
 || setweight(to_tsvector('english', coalesce(p.maker_name, '') || ' ' || coalesce(s.name, '')
        || ' ' || coalesce((
            SELECT string_agg(v.name, ' ')
            FROM catalog_product_attribute_values pav
            JOIN catalog_attributevalue v ON v.id = pav.attributevalue_id
            WHERE pav.product_id = p.id), '')), 'B')
 || setweight(to_tsvector('english', coalesce(p.description, '')), 'C')
FROM sellers_seller s
WHERE s.id = p.seller_id {where}
"""


def product_refresh_derived_fields(*, product_ids: Iterable[int] | None = None) -> None:
    """Recompute each product's price range and search document from its current rows.

    Call after any change to a product's variants, attributes, name, maker or description;
    ``None`` refreshes the whole catalogue (after a bulk import).
    """
    products = Product.objects.all()
    ids = None if product_ids is None else list(product_ids)
    if ids is not None:
        if not ids:
            return
        products = products.filter(pk__in=ids)
    variants = ProductVariant.objects.filter(product=OuterRef("pk")).values("product")
    products.update(
        price_min_amount=Subquery(variants.annotate(m=Min("price_amount")).values("m")[:1]),
        price_max_amount=Subquery(variants.annotate(m=Max("price_amount")).values("m")[:1]),
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if ids is None:
                cursor.execute(_SEARCH_VECTOR_SQL.format(where=""))
            else:
                cursor.execute(_SEARCH_VECTOR_SQL.format(where="AND p.id = ANY(%s)"), [ids])


def product_publish_now(*, product: Product) -> Product:
    """Mark a product published (used by staff tools and demo data; sellers get theirs later)."""
    product.status = ProductStatus.PUBLISHED
    product.published_at = product.published_at or timezone.now()
    product.save(update_fields=["status", "published_at", "updated_at"])
    return product


def _validated_image_bytes(upload: UploadedFile | ContentFile) -> bytes:
    if upload.size > settings.MARKET_MAX_IMAGE_BYTES:
        raise DomainError(CatalogErrorCode.IMAGE_TOO_LARGE,
                          f"Images may be at most {settings.MARKET_MAX_IMAGE_BYTES} bytes.",
                          field="image")
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
            if img.format not in {"JPEG", "PNG", "WEBP"}:
                raise DomainError(CatalogErrorCode.INVALID_IMAGE,
                                  "Images must be JPEG, PNG or WebP.", field="image")
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise DomainError(CatalogErrorCode.INVALID_IMAGE, "The file is not a readable image.",
                          field="image") from exc
    return data


@transaction.atomic
def product_image_add(*, product: Product, upload: UploadedFile | ContentFile, alt: str = "",
                      sort_order: int | None = None) -> ProductImage:
    """Attach an image to a product; its thumbnail is made by a worker after commit."""
    data = _validated_image_bytes(upload)
    if sort_order is None:
        last = product.images.aggregate(m=Max("sort_order"))["m"]
        sort_order = 0 if last is None else last + 1
    image = ProductImage(product=product, alt=alt or product.name, sort_order=sort_order)
    image.image.save(PurePosixPath(upload.name or "image").name, ContentFile(data), save=False)
    image.save()
    product_image_thumbnail_schedule(image=image)
    return image


def product_image_thumbnail_schedule(*, image: ProductImage) -> None:
    """Ask a worker for the thumbnail once the image row is committed."""
    enqueue_on_commit("catalog.generate_product_thumbnail", image_id=image.pk)


def product_image_generate_thumbnail(*, image_id: int) -> ProductImage | None:
    """Make (or keep) the listing thumbnail of one image; running it twice changes nothing."""
    image = ProductImage.objects.filter(pk=image_id).first()
    if image is None or image.thumbnail:
        return image
    size = settings.MARKET_THUMBNAIL_SIZE
    with image.image.open("rb") as fh, Image.open(fh) as src:
        thumb = src.convert("RGB")
        thumb.thumbnail((size, size))
        buffer = io.BytesIO()
        thumb.save(buffer, format="JPEG", quality=82, optimize=True)
    name = f"{PurePosixPath(image.image.name).stem}-{size}.jpg"
    image.thumbnail.save(name, ContentFile(buffer.getvalue()), save=False)
    # Only fill an empty thumbnail: a racing second run must not overwrite the first.
    ProductImage.objects.filter(pk=image.pk, thumbnail="").update(thumbnail=image.thumbnail.name)
    image.refresh_from_db()
    return image

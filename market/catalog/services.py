from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Case,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    ProtectedError,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from django_countries import countries

from market.catalog.error_codes import CatalogErrorCode
from market.catalog.models import (
    Attribute,
    AttributeValue,
    Availability,
    Category,
    Product,
    ProductEvent,
    ProductImage,
    ProductStatus,
    ProductVariant,
)
from market.core.catalogue_cache import catalogue_changed
from market.core.errors import DomainError
from market.core.images import (
    ImageRefused,
    TooManyPixels,
    UnreadableImage,
    image_dimensions,
    image_thumbnail_jpeg,
    image_verified_extension,
)
from market.core.money import base_currency, quantize
from market.core.state_machine import transition
from market.core.storage import generated_name
from market.core.tasks import enqueue_on_commit
from market.sellers.models import SellerStatus

logger = logging.getLogger(__name__)

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
    catalogue_changed(product_ids=[product.pk], listings=True)
    return product


def product_image_file(*, upload: UploadedFile | ContentFile) -> ContentFile:
    """An uploaded product image, checked, to be stored under our name.

    The size, the format (JPEG, PNG or WebP, found in the content) and the pixel count (read
    from the header, before anything is decoded) are checked; the name is generated with the
    extension of the format found, so an uploader's ``x.html`` never becomes a page of ours.
    """
    limit = settings.MARKET_MAX_IMAGE_BYTES
    upload.seek(0)
    data = b"" if upload.size > limit else upload.read(limit + 1)
    if upload.size > limit or len(data) > limit:
        raise DomainError(
            CatalogErrorCode.IMAGE_TOO_LARGE, f"Images may be at most {limit} bytes.", field="image"
        )
    try:
        extension = image_verified_extension(data)
    except TooManyPixels as exc:
        raise DomainError(
            CatalogErrorCode.IMAGE_TOO_MANY_PIXELS,
            f"Images may have at most {exc.limit} pixels (width × height).",
            field="image",
        ) from exc
    except UnreadableImage as exc:
        raise DomainError(
            CatalogErrorCode.INVALID_IMAGE,
            "The file is not a readable JPEG, PNG or WebP image.",
            field="image",
        ) from exc
    return ContentFile(data, name=generated_name(extension))


MAX_IMAGES_PER_PRODUCT = 50


@transaction.atomic
def product_image_add(
    *,
    product: Product,
    upload: UploadedFile | ContentFile,
    alt: str = "",
    sort_order: int | None = None,
) -> ProductImage:
    """Attach an image to a product (at most 50 each); its thumbnail is made by a worker
    after commit."""
    checked = product_image_file(upload=upload)
    # Lock the product so two uploads cannot both take the last free place.
    list(Product.objects.select_for_update().filter(pk=product.pk).values_list("pk"))
    if product.images.count() >= MAX_IMAGES_PER_PRODUCT:
        raise DomainError(
            CatalogErrorCode.INVALID,
            f"A product has at most {MAX_IMAGES_PER_PRODUCT} images.",
            field="image",
        )
    if sort_order is None:
        last = product.images.aggregate(m=Max("sort_order"))["m"]
        sort_order = 0 if last is None else last + 1
    width, height = image_dimensions(checked.read())
    image = ProductImage(
        product=product,
        alt=alt or product.name,
        sort_order=sort_order,
        width=width,
        height=height,
    )
    image.image.save(checked.name, checked, save=False)
    image.save()
    product_image_thumbnail_schedule(image=image)
    catalogue_changed(product_ids=[product.pk])
    return image


def product_image_thumbnail_schedule(*, image: ProductImage) -> None:
    """Ask a worker for the thumbnail once the image row is committed."""
    enqueue_on_commit("catalog.generate_product_thumbnail", image_id=image.pk)


def product_image_generate_thumbnail(*, image_id: int) -> ProductImage | None:
    """Make (or keep) the listing thumbnail of one image; running it twice changes nothing.

    An image that cannot be decoded within the pixel budget keeps no thumbnail (listings show
    the image itself) and is logged: trying again would fail again, so nothing is raised. A
    storage that cannot be read raises ``OSError``, which is worth retrying.
    """
    image = ProductImage.objects.filter(pk=image_id).first()
    if image is None or image.thumbnail:
        return image
    size = settings.MARKET_THUMBNAIL_SIZE
    with image.image.open("rb") as fh:
        data = fh.read()
    try:
        width, height = image_dimensions(data)
        thumbnail = image_thumbnail_jpeg(data, size=size)
        thumbnail_width, thumbnail_height = image_dimensions(thumbnail)
    except ImageRefused as exc:
        logger.warning(
            "Product image %s (%s) gets no thumbnail: %s", image.pk, image.image.name, exc
        )
        return image
    name = f"{PurePosixPath(image.image.name).stem}-{size}.jpg"
    image.thumbnail.save(name, ContentFile(thumbnail), save=False)
    # Only fill an empty thumbnail: a racing second run must not overwrite the first.
    ProductImage.objects.filter(pk=image.pk, thumbnail="").update(
        thumbnail=image.thumbnail.name,
        thumbnail_width=thumbnail_width,
        thumbnail_height=thumbnail_height,
        width=width,
        height=height,
    )
    catalogue_changed(product_ids=[image.product_id])
    image.refresh_from_db()
    return image


# --- Sellers managing their own listings -------------------------------------------------------

MAX_ATTRIBUTES = 30
MAX_VALUES_PER_ATTRIBUTE = 30
_MAX_INT = 2_147_483_647  # PositiveIntegerField's ceiling on every database we run on
_MAX_PRICE = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)
_MAX_PROCESSING_DAYS = 365

# The product fields a seller may set, with the API's (camelCase) name for error messages.
_PRODUCT_FIELDS = {
    "name": "name",
    "category_id": "categoryId",
    "description": "description",
    "attributes": "attributes",
    "maker_name": "makerName",
    "made_year": "madeYear",
    "availability": "availability",
    "processing_days": "processingDays",
    "edition_size": "editionSize",
    "edition_number": "editionNumber",
    "is_exportable": "isExportable",
    "hs_code": "hsCode",
    "origin_country": "originCountry",
    "weight_grams": "weightGrams",
    "length_mm": "lengthMm",
    "width_mm": "widthMm",
    "height_mm": "heightMm",
}
# What customs papers need before an exportable product may be listed, in the order named.
_EXPORT_FIELDS = ("hs_code", "origin_country", "weight_grams", "length_mm", "width_mm", "height_mm")


def _invalid(field: str, message: str, code: CatalogErrorCode = CatalogErrorCode.INVALID):
    return DomainError(code, message, field=_PRODUCT_FIELDS.get(field, field))


def _clean_text(field: str, value, *, max_length: int, required: bool = False) -> str:
    if not isinstance(value, str):
        raise _invalid(field, f"'{_PRODUCT_FIELDS[field]}' must be text.")
    value = value.strip()
    if required and not value:
        raise _invalid(field, f"'{_PRODUCT_FIELDS[field]}' is required.")
    if len(value) > max_length:
        raise _invalid(field, f"'{_PRODUCT_FIELDS[field]}' is at most {max_length} characters.")
    return value


def _clean_count(field: str, value, *, maximum: int = _MAX_INT) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(field, f"'{_PRODUCT_FIELDS[field]}' must be a whole number.")
    if value < 0:
        raise _invalid(field, f"'{_PRODUCT_FIELDS[field]}' must not be negative.")
    if value > maximum:
        raise _invalid(field, f"'{_PRODUCT_FIELDS[field]}' is at most {maximum}.")
    return value


def _clean_product_fields(fields: dict) -> dict:
    """Validate and normalise the product fields present in ``fields`` (snake_case names)."""
    unknown = set(fields) - set(_PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown product fields: {', '.join(sorted(unknown))}")
    clean: dict = {}
    for name, value in fields.items():
        if name == "name":
            clean[name] = _clean_text(name, value, max_length=200, required=True)
        elif name == "description":
            clean[name] = _clean_text(name, value, max_length=20_000)
        elif name == "maker_name":
            clean[name] = _clean_text(name, value, max_length=120)
        elif name == "category_id":
            is_id = isinstance(value, int) and not isinstance(value, bool)
            category = Category.objects.filter(pk=value).first() if is_id else None
            if category is None:
                raise DomainError(
                    CatalogErrorCode.NOT_FOUND, "No such category.", field="categoryId"
                )
            clean["category"] = category
        elif name == "attributes":
            clean[name] = _clean_attributes(value)
        elif name == "made_year":
            year = _clean_count(name, value, maximum=timezone.now().year)
            if year == 0:
                raise _invalid(name, "'madeYear' must be a real year.")
            clean[name] = year
        elif name == "availability":
            if value not in Availability.values:
                raise _invalid(name, f"'availability' is one of {', '.join(Availability.values)}.")
            clean[name] = value
        elif name == "processing_days":
            if value is None:
                raise _invalid(name, "'processingDays' is required.")
            clean[name] = _clean_count(name, value, maximum=_MAX_PROCESSING_DAYS)
        elif name in (
            "edition_size",
            "edition_number",
            "weight_grams",
            "length_mm",
            "width_mm",
            "height_mm",
        ):
            clean[name] = _clean_count(name, value)
        elif name == "is_exportable":
            if not isinstance(value, bool):
                raise _invalid(name, "'isExportable' must be true or false.")
            clean[name] = value
        elif name == "hs_code":
            code = (value or "").strip() if isinstance(value, str) else value
            if (
                not isinstance(code, str)
                or code
                and not (code.isascii() and code.isdigit() and 6 <= len(code) <= 10)
            ):
                raise _invalid(
                    name,
                    "An HS code is 6 to 10 digits, without dots or spaces.",
                    CatalogErrorCode.INVALID_HS_CODE,
                )
            clean[name] = code
        elif name == "origin_country":
            code = (value or "").strip().upper() if isinstance(value, str) else ""
            if code not in countries:
                raise _invalid(name, f"'{value}' is not an ISO 3166 country code.")
            clean[name] = code
    return clean


def _clean_attributes(attributes) -> dict[Attribute, list[tuple[str, str]]]:
    """Attribute slug → value names, checked: every attribute must exist; values may be new."""
    if attributes is None:
        return {}
    if not isinstance(attributes, dict):
        raise _invalid("attributes", "'attributes' maps an attribute to its values.")
    if len(attributes) > MAX_ATTRIBUTES:
        raise _invalid("attributes", f"At most {MAX_ATTRIBUTES} attributes per product.")
    known = {a.slug: a for a in Attribute.objects.filter(slug__in=list(attributes))}
    clean: dict[Attribute, list[tuple[str, str]]] = {}
    for slug, names in attributes.items():
        attribute = known.get(slug)
        if attribute is None:
            raise DomainError(
                CatalogErrorCode.UNKNOWN_ATTRIBUTE,
                f"There is no attribute '{slug}'.",
                field="attributes",
            )
        if isinstance(names, str) or not isinstance(names, list | tuple):
            raise _invalid("attributes", f"The values of '{slug}' must be a list of names.")
        if len(names) > MAX_VALUES_PER_ATTRIBUTE:
            raise _invalid("attributes", f"At most {MAX_VALUES_PER_ATTRIBUTE} values for '{slug}'.")
        values: dict[str, str] = {}
        for raw in names:
            name = raw.strip() if isinstance(raw, str) else ""
            value_slug = slugify(name)[:140]
            if not value_slug or len(name) > 120:
                raise _invalid("attributes", f"'{raw}' is not a valid value of '{slug}'.")
            values.setdefault(value_slug, name)
        clean[attribute] = [(value_slug, name) for value_slug, name in values.items()]
    return clean


def _attribute_values(clean: dict[Attribute, list[tuple[str, str]]]) -> list[AttributeValue]:
    """The values named, creating the ones a known attribute does not have yet."""
    found = []
    for attribute, pairs in clean.items():
        existing = {v.slug: v for v in attribute.values.filter(slug__in=[s for s, _ in pairs])}
        for value_slug, name in pairs:
            value = existing.get(value_slug)
            if value is None:
                # get_or_create retries the read inside a savepoint if a racing request won.
                value, _ = AttributeValue.objects.get_or_create(
                    attribute=attribute, slug=value_slug, defaults={"name": name}
                )
            found.append(value)
    return found


def _check_edition(edition_size: int | None, edition_number: int | None) -> None:
    if edition_size is not None and edition_number is not None and edition_number > edition_size:
        raise _invalid("edition_number", "'editionNumber' is greater than 'editionSize'.")
    if edition_number == 0 or edition_size == 0:
        field = "edition_number" if edition_number == 0 else "edition_size"
        raise _invalid(field, f"'{_PRODUCT_FIELDS[field]}' starts at 1.")


def _missing_export_data(product: Product) -> list[str]:
    if not product.is_exportable:
        return []
    return [name for name in _EXPORT_FIELDS if getattr(product, name) in (None, "")]


def _export_data_error(missing: list[str]) -> DomainError:
    names = ", ".join(_PRODUCT_FIELDS[name] for name in missing)
    return DomainError(
        CatalogErrorCode.EXPORT_DATA_MISSING,
        f"An exportable product needs its export data: {names}.",
        field=_PRODUCT_FIELDS[missing[0]],
    )


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200].strip("-") or "product"
    taken = set(Product.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


@transaction.atomic
def product_create(
    *,
    seller,
    name: str,
    category_id: int,
    description: str = "",
    attributes: dict[str, list[str]] | None = None,
    maker_name: str = "",
    made_year: int | None = None,
    availability: str = Availability.READY_TO_SHIP,
    processing_days: int = 1,
    edition_size: int | None = None,
    edition_number: int | None = None,
    is_exportable: bool = True,
    hs_code: str = "",
    origin_country: str = "AZ",
    weight_grams: int | None = None,
    length_mm: int | None = None,
    width_mm: int | None = None,
    height_mm: int | None = None,
) -> Product:
    """Create a draft listing for ``seller`` (any seller status: only publishing needs approval).

    Attributes must already exist (``unknown_attribute``); new value names of a known attribute
    are created. The slug is unique, derived from the name.
    """
    clean = _clean_product_fields(
        {
            "name": name,
            "category_id": category_id,
            "description": description,
            "attributes": attributes,
            "maker_name": maker_name,
            "made_year": made_year,
            "availability": availability,
            "processing_days": processing_days,
            "edition_size": edition_size,
            "edition_number": edition_number,
            "is_exportable": is_exportable,
            "hs_code": hs_code,
            "origin_country": origin_country,
            "weight_grams": weight_grams,
            "length_mm": length_mm,
            "width_mm": width_mm,
            "height_mm": height_mm,
        }
    )
    _check_edition(clean["edition_size"], clean["edition_number"])
    attribute_choice = clean.pop("attributes")
    values = _attribute_values(attribute_choice)
    product = Product(seller=seller, status=ProductStatus.DRAFT, **clean)
    slug = _unique_slug(clean["name"])
    for attempt in range(5):
        product.slug = slug if attempt == 0 else f"{slug}-{secrets.token_hex(3)}"
        try:
            # A racing request may take the same slug between our read and our insert.
            with transaction.atomic():
                product.save(force_insert=True)
            break
        except IntegrityError:
            if attempt == 4 or not Product.objects.filter(slug=product.slug).exists():
                raise
    if values:
        product.attribute_values.set(values)
    product_refresh_derived_fields(product_ids=[product.pk])
    return product


def _clean_price(price_amount) -> Decimal:
    if isinstance(price_amount, bool) or not isinstance(price_amount, Decimal | int):
        raise DomainError(
            CatalogErrorCode.INVALID_PRICE, "A price is a decimal amount.", field="price"
        )
    price = Decimal(price_amount)
    if not price.is_finite() or price < 0:
        raise DomainError(
            CatalogErrorCode.INVALID_PRICE, "A price must not be negative.", field="price"
        )
    # Checked before rounding too: rounding 1E+40 to cents exceeds Decimal's precision.
    if price > _MAX_PRICE or quantize(price, base_currency()) > _MAX_PRICE:
        raise DomainError(
            CatalogErrorCode.INVALID_PRICE, f"A price is at most {_MAX_PRICE}.", field="price"
        )
    return quantize(price, base_currency())


def _clean_quantity(quantity, *, field: str = "stockQuantity") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise DomainError(
            CatalogErrorCode.INVALID_QUANTITY,
            "A stock quantity is a whole number, not negative.",
            field=field,
        )
    if quantity > _MAX_INT:
        raise DomainError(
            CatalogErrorCode.INVALID_QUANTITY,
            f"A stock quantity is at most {_MAX_INT}.",
            field=field,
        )
    return quantity


def _clean_sku(sku, *, exclude_pk: int | None = None) -> str:
    sku = sku.strip() if isinstance(sku, str) else ""
    if not sku or len(sku) > 64:
        raise DomainError(CatalogErrorCode.INVALID, "A SKU is 1 to 64 characters.", field="sku")
    same_sku = ProductVariant.objects.filter(sku=sku)
    if exclude_pk is not None:
        same_sku = same_sku.exclude(pk=exclude_pk)
    if same_sku.exists():
        raise _duplicate_sku(sku)
    return sku


def _duplicate_sku(sku: str) -> DomainError:
    return DomainError(
        CatalogErrorCode.DUPLICATE_SKU, f"The SKU '{sku}' is already in use.", field="sku"
    )


def _clean_variant_name(name) -> str:
    name = name.strip() if isinstance(name, str) else None
    if name is None or len(name) > 120:
        raise DomainError(
            CatalogErrorCode.INVALID, "A variant name is at most 120 characters.", field="name"
        )
    return name


def _save_variant(variant: ProductVariant, **kwargs) -> None:
    try:
        # SKUs are unique across the marketplace; the check up front can lose a race.
        with transaction.atomic():
            variant.save(**kwargs)
    except IntegrityError as exc:
        if ProductVariant.objects.filter(sku=variant.sku).exclude(pk=variant.pk).exists():
            raise _duplicate_sku(variant.sku) from exc
        raise


@transaction.atomic
def product_variant_create(
    *, product: Product, sku: str, price_amount: Decimal, stock_quantity: int, name: str = ""
) -> ProductVariant:
    """Add a priced variant to a product; its SKU is unique across the whole marketplace.

    The price is in the base currency, rounded to its minor unit; price and stock must not be
    negative.
    """
    price = _clean_price(price_amount)
    quantity = _clean_quantity(stock_quantity)
    name = _clean_variant_name(name)
    sku = _clean_sku(sku)
    last = product.variants.aggregate(m=Max("sort_order"))["m"]
    variant = ProductVariant(
        product=product,
        sku=sku,
        name=name,
        price_amount=price,
        stock_quantity=quantity,
        sort_order=0 if last is None else last + 1,
    )
    _save_variant(variant)
    product_refresh_derived_fields(product_ids=[product.pk])
    catalogue_changed(product_ids=[product.pk], listings=True)
    product.refresh_from_db(fields=["price_min_amount", "price_max_amount"])
    return variant


def _locked(product: Product) -> Product:
    """The product's current row, locked until commit: transitions, variant deletions and
    updates of one product take turns, so the publishing rules hold at every commit."""
    return Product.objects.select_for_update().select_related("seller").get(pk=product.pk)


def _check_listable(product: Product) -> None:
    """What a published listing must have at every moment: a priced variant and, if it may be
    exported, its export data."""
    if not product.variants.exists():
        raise DomainError(
            CatalogErrorCode.NO_VARIANTS,
            "A product needs at least one variant with a price to be published.",
            field="variants",
        )
    missing = _missing_export_data(product)
    if missing:
        raise _export_data_error(missing)


@transaction.atomic
def product_update(*, product: Product, **fields) -> Product:
    """Change a listing's fields (product_create's names; ``attributes`` replaces all values).

    The same validation as product_create; the slug stays (links keep working). A published
    product must stay publishable: its export data cannot be removed while it is listed.
    """
    clean = _clean_product_fields(fields)
    product = _locked(product)
    _check_edition(
        clean.get("edition_size", product.edition_size),
        clean.get("edition_number", product.edition_number),
    )
    values = _attribute_values(clean.pop("attributes")) if "attributes" in clean else None
    for name, value in clean.items():
        setattr(product, name, value)
    if product.status == ProductStatus.PUBLISHED:
        missing = _missing_export_data(product)
        if missing:
            raise _export_data_error(missing)
    if clean:
        product.save(update_fields=[*clean, "updated_at"])
    if values is not None:
        product.attribute_values.set(values)
    if values is not None or clean.keys() & {"name", "maker_name", "description"}:
        product_refresh_derived_fields(product_ids=[product.pk])
    # Names and attributes decide what a search or a filter finds: lists may change too.
    catalogue_changed(product_ids=[product.pk], listings=True)
    product.refresh_from_db()
    return product


class ProductAction(StrEnum):
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"
    ARCHIVE = "archive"
    RESTORE = "restore"


# The lifecycle of a listing: each action, the statuses it starts from and where it leads.
PRODUCT_TRANSITIONS: dict[ProductAction, tuple[frozenset[str], str]] = {
    ProductAction.PUBLISH: (frozenset({ProductStatus.DRAFT}), ProductStatus.PUBLISHED),
    ProductAction.UNPUBLISH: (frozenset({ProductStatus.PUBLISHED}), ProductStatus.DRAFT),
    ProductAction.ARCHIVE: (
        frozenset({ProductStatus.DRAFT, ProductStatus.PUBLISHED}),
        ProductStatus.ARCHIVED,
    ),
    ProductAction.RESTORE: (frozenset({ProductStatus.ARCHIVED}), ProductStatus.DRAFT),
}


_DONE = {
    ProductAction.PUBLISH: "published",
    ProductAction.UNPUBLISH: "unpublished",
    ProductAction.ARCHIVE: "archived",
    ProductAction.RESTORE: "restored",
}


def _check_transition(product: Product, action: ProductAction) -> None:
    sources, _ = PRODUCT_TRANSITIONS[action]
    if product.status not in sources:
        raise DomainError(
            CatalogErrorCode.INVALID_TRANSITION,
            f"This product is {product.status}: it cannot be {_DONE[action]}.",
            field="status",
        )


def _transition(product: Product, action: ProductAction, *, actor, **changes) -> Product:
    _check_transition(product, action)
    sources, new = PRODUCT_TRANSITIONS[action]
    # Compare-and-set: of two racing requests only the one that still sees the status it read
    # wins. The action was checked above, so this action's own sources are the table.
    moved = transition(
        Product.objects,
        pk=product.pk,
        table={source: (new,) for source in sources},
        source=product.status,
        to=new,
        updates={"updated_at": timezone.now(), **changes},
        event=lambda old, to: ProductEvent.objects.create(
            product=product,
            kind=action,
            from_status=old,
            to_status=to,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        ),
    )
    if not moved:
        raise DomainError(
            CatalogErrorCode.INVALID_TRANSITION,
            "The product changed meanwhile; reload it and try again.",
            field="status",
        )
    catalogue_changed(product_ids=[product.pk], listings=True)
    product.refresh_from_db()
    return product


@transaction.atomic
def product_publish(*, product: Product, actor) -> Product:
    """List a draft for buyers. Only an approved seller's product with at least one priced
    variant, and complete export data if it is exportable, may be published. The first
    publication sets ``published_at``; publishing again after an unpublish keeps it."""
    product = _locked(product)
    _check_transition(product, ProductAction.PUBLISH)
    if product.seller.status != SellerStatus.APPROVED:
        raise DomainError(
            CatalogErrorCode.SELLER_NOT_APPROVED,
            "Only an approved seller's products can be published.",
        )
    _check_listable(product)
    # The listing sorts and filters by the derived price range: make sure it is current.
    product_refresh_derived_fields(product_ids=[product.pk])
    return _transition(
        product,
        ProductAction.PUBLISH,
        actor=actor,
        published_at=Coalesce(F("published_at"), Value(timezone.now())),
    )


@transaction.atomic
def product_unpublish(*, product: Product, actor) -> Product:
    """Take a published product off the storefront; it becomes a draft again."""
    return _transition(_locked(product), ProductAction.UNPUBLISH, actor=actor)


@transaction.atomic
def product_archive(*, product: Product, actor) -> Product:
    """Retire a draft or published product: hidden from buyers, kept for orders and history."""
    return _transition(_locked(product), ProductAction.ARCHIVE, actor=actor)


@transaction.atomic
def product_restore(*, product: Product, actor) -> Product:
    """Bring an archived product back as a draft (publishing it is a separate step)."""
    return _transition(_locked(product), ProductAction.RESTORE, actor=actor)


def _delete_files_on_commit(names: Iterable[str]) -> None:
    """Stored files go only once the rows that named them are gone for good."""
    from django.core.files.storage import default_storage

    names = [name for name in names if name]

    def delete():
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("could not delete media file %s", name)

    transaction.on_commit(delete)


@transaction.atomic
def product_delete(*, product: Product, actor) -> None:
    """Delete a listing for good, with its variants and images. A published product is
    refused: unpublish or archive it first, so nothing a buyer sees vanishes by one click.
    A product whose variants were ordered is refused too (archive it instead)."""
    product = _locked(product)
    if product.status == ProductStatus.PUBLISHED:
        raise DomainError(
            CatalogErrorCode.INVALID_TRANSITION,
            "A published product cannot be deleted: unpublish or archive it first.",
            field="status",
        )
    files = [name for pair in product.images.values_list("image", "thumbnail") for name in pair]
    try:
        with transaction.atomic():
            product.delete()
    except ProtectedError as exc:
        raise DomainError(
            CatalogErrorCode.IN_USE, "This product has orders: archive it instead."
        ) from exc
    logger.info("product %s deleted by user %s", product.pk, getattr(actor, "pk", None))
    catalogue_changed(product_ids=[product.pk], listings=True)
    _delete_files_on_commit(files)


def _locked_variant(variant: ProductVariant) -> ProductVariant:
    return ProductVariant.objects.select_for_update().get(pk=variant.pk)


def variants_lock_for_stock(*, variant_ids: Iterable[int]) -> dict[int, ProductVariant]:
    """Row locks on the variants whose stock is taken or given back (checkout completion,
    cancelled order parts), in ascending id order: the one order every writer of stock uses,
    so lockers never wait on each other in a cycle. Call it inside the writer's transaction."""
    rows = (
        ProductVariant.objects.select_for_update(of=("self",))
        .filter(pk__in=list(variant_ids))
        .order_by("pk")
        .only("pk", "product_id", "stock_quantity")
    )
    return {variant.pk: variant for variant in rows}


def variants_stock_adjust(*, changes: dict[int, int]) -> None:
    """Add ``changes[variant_id]`` units (negative: taken) to each variant's stock, in one
    statement whatever the number of variants. Only under the locks of
    ``variants_lock_for_stock``, after checking the stock suffices: the database's check that
    stock never goes below zero is the last guard, not the rule."""
    if not changes:
        return
    ProductVariant.objects.filter(pk__in=list(changes)).update(
        stock_quantity=F("stock_quantity")
        + Case(
            *(When(pk=pk, then=Value(units)) for pk, units in sorted(changes.items())),
            output_field=IntegerField(),
        )
    )


@transaction.atomic
def product_variant_update(*, variant: ProductVariant, **fields) -> ProductVariant:
    """Change a variant's ``sku``, ``name``, ``price_amount`` or ``stock_quantity``, with the
    rules of product_variant_create (unique SKU, no negative price or stock)."""
    unknown = set(fields) - {"sku", "name", "price_amount", "stock_quantity"}
    if unknown:
        raise TypeError(f"Unknown variant fields: {', '.join(sorted(unknown))}")
    clean: dict[str, Any] = {}
    if "price_amount" in fields:
        clean["price_amount"] = _clean_price(fields["price_amount"])
    if "stock_quantity" in fields:
        clean["stock_quantity"] = _clean_quantity(fields["stock_quantity"])
    if "name" in fields:
        clean["name"] = _clean_variant_name(fields["name"])
    if "sku" in fields:
        clean["sku"] = _clean_sku(fields["sku"], exclude_pk=variant.pk)
    variant = _locked_variant(variant)
    if not clean:
        return variant
    for name, value in clean.items():
        setattr(variant, name, value)
    _save_variant(variant, update_fields=list(clean))
    if "price_amount" in clean:
        product_refresh_derived_fields(product_ids=[variant.product_id])
    # A price moves a product in price filters and sorts; stock, in the in-stock filter.
    catalogue_changed(product_ids=[variant.product_id], listings=True)
    return variant


@transaction.atomic
def product_variant_delete(*, variant: ProductVariant) -> None:
    """Remove a variant. A published product keeps at least one: unpublish it first."""
    product = _locked(variant.product)
    if (
        product.status == ProductStatus.PUBLISHED
        and not product.variants.exclude(pk=variant.pk).exists()
    ):
        raise DomainError(
            CatalogErrorCode.NO_VARIANTS,
            "A published product keeps at least one variant: unpublish it first.",
            field="id",
        )
    try:
        with transaction.atomic():
            ProductVariant.objects.filter(pk=variant.pk).delete()
    except ProtectedError as exc:
        raise DomainError(
            CatalogErrorCode.IN_USE, "This variant has orders: set its stock to 0 instead."
        ) from exc
    product_refresh_derived_fields(product_ids=[product.pk])
    catalogue_changed(product_ids=[product.pk], listings=True)


@transaction.atomic
def product_variant_stock_set(*, variant: ProductVariant, quantity: int) -> ProductVariant:
    """Set the units a seller has in stock (a count they made, not a delta)."""
    quantity = _clean_quantity(quantity, field="quantity")
    ProductVariant.objects.filter(pk=variant.pk).update(stock_quantity=quantity)
    variant.refresh_from_db()
    catalogue_changed(product_ids=[variant.product_id], listings=True)
    return variant


@transaction.atomic
def product_attributes_set(*, product: Product, attributes: dict[str, list[str]]) -> Product:
    """Replace a product's attribute values (the rules of product_create's ``attributes``)."""
    return product_update(product=product, attributes=attributes)


@transaction.atomic
def product_image_reorder(*, product: Product, image_ids: list[int]) -> list[ProductImage]:
    """Put a product's images in the given order; the list names each of its images once."""
    product = _locked(product)
    images = {image.pk: image for image in product.images.all()}
    if len(image_ids) != len(set(image_ids)) or set(image_ids) != set(images):
        raise DomainError(
            CatalogErrorCode.INVALID,
            "Give each of the product's images exactly once.",
            field="imageIds",
        )
    for position, pk in enumerate(image_ids):
        images[pk].sort_order = position
    ProductImage.objects.bulk_update(images.values(), ["sort_order"])
    catalogue_changed(product_ids=[product.pk])
    return [images[pk] for pk in image_ids]


@transaction.atomic
def product_image_delete(*, image: ProductImage) -> None:
    """Remove an image; its files are deleted once the removal is committed."""
    deleted, _ = ProductImage.objects.filter(pk=image.pk).delete()
    if deleted:
        catalogue_changed(product_ids=[image.product_id])
        _delete_files_on_commit([image.image.name, image.thumbnail.name])

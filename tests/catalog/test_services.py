import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError
from PIL import Image

from market.catalog.models import Product
from market.catalog.services import (
    product_image_add,
    product_image_generate_thumbnail,
    product_refresh_derived_fields,
)
from market.core.errors import DomainError
from tests.factories import ProductFactory, ProductVariantFactory

pytestmark = pytest.mark.django_db


def png_bytes(size=(800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def test_price_range_follows_the_variants():
    product = ProductFactory()
    ProductVariantFactory(product=product, price_amount=Decimal("30.00"))
    ProductVariantFactory(product=product, price_amount=Decimal("12.50"))

    product_refresh_derived_fields(product_ids=[product.pk])

    product.refresh_from_db()
    assert (product.price_min_amount, product.price_max_amount) == (
        Decimal("12.50"),
        Decimal("30.00"),
    )


def test_image_is_stored_and_its_thumbnail_made_once(django_capture_on_commit_callbacks):
    product = ProductFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        image = product_image_add(product=product, upload=ContentFile(png_bytes(), "rug.png"))
    thumbnailed = product_image_generate_thumbnail(image_id=image.pk)
    first_name = thumbnailed.thumbnail.name
    again = product_image_generate_thumbnail(image_id=image.pk)

    # (The other callback drops the catalogue's kept answers that show the product.)
    queued = [c for c in callbacks if "enqueue_on_commit" in c.__qualname__]
    assert len(queued) == 1, "the thumbnail is queued once, after commit"
    with Image.open(thumbnailed.thumbnail.path) as thumb:
        assert max(thumb.size) == 320
    assert again.thumbnail.name == first_name


def test_an_image_and_its_thumbnail_record_their_pixel_sizes():
    product = ProductFactory()

    image = product_image_add(product=product, upload=ContentFile(png_bytes(), "rug.png"))
    stored = (image.width, image.height, image.thumbnail_width)
    thumbnailed = product_image_generate_thumbnail(image_id=image.pk)

    assert stored == (800, 600, None)
    assert (thumbnailed.thumbnail_width, thumbnailed.thumbnail_height) == (320, 240)
    assert (thumbnailed.width, thumbnailed.height) == (800, 600)


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored():
    product = ProductFactory()

    with pytest.raises(DomainError) as refused:
        product_image_add(product=product, upload=ContentFile(b"%PDF-1.4 nope", "x.png"))

    assert refused.value.code == "invalid_image"
    assert product.images.count() == 0


def test_an_oversize_image_is_refused(settings):
    settings.MARKET_MAX_IMAGE_BYTES = 1000
    product = ProductFactory()

    with pytest.raises(DomainError) as refused:
        product_image_add(product=product, upload=ContentFile(png_bytes(), "big.png"))

    assert refused.value.code == "image_too_large"
    assert product.images.count() == 0


def test_the_database_refuses_an_hs_code_that_is_not_6_to_10_digits():
    product = ProductFactory()

    with pytest.raises(IntegrityError):
        Product.objects.filter(pk=product.pk).update(hs_code="57.01")


def test_the_database_refuses_a_negative_variant_price():
    with pytest.raises(IntegrityError):
        ProductVariantFactory(price_amount=Decimal("-1.00"))

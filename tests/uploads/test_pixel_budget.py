"""Decompression bombs: an image is measured from its header and refused over the pixel
budget before a pixel is decoded; a thumbnail that cannot be made fails once, quietly."""

import io
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from market.catalog.models import ProductImage
from market.catalog.services import product_image_generate_thumbnail
from market.sellers.models import SellerDocument
from tests.catalog.seller import support
from tests.factories import ProductFactory, ProductImageFactory, SellerFactory, UserFactory
from tests.sellers.helpers import UPLOAD, application
from tests.uploads.images import png_bytes, png_of_one_colour, png_with_broken_pixels
from workers.catalog import generate_product_thumbnail

pytestmark = pytest.mark.django_db


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _upload(gql_as, product, data: bytes, name: str = "big.png"):
    return gql_as(product.seller.user).upload(
        support.IMAGE_CREATE,
        {"productId": support.gid(product), "image": None},
        {"variables.image": SimpleUploadedFile(name, data, content_type="image/png")},
    )


def _errors(response) -> list[tuple[str, str]]:
    return [
        (e["code"], e["field"]) for e in support.payload(response, "productImageCreate")["errors"]
    ]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("side", [13_370, 20_000])
def test_a_small_png_declaring_too_many_pixels_is_refused_with_a_code(gql_as, side):
    """13,370² was accepted (and its thumbnail cost a worker ~1 GB); 20,000² tripped Pillow's
    own guard and reached the client as internal_error."""
    product = ProductFactory(seller=SellerFactory(user=UserFactory()))
    before = support.catalogue_rows()

    response = _upload(gql_as, product, png_of_one_colour(side, side))

    assert _errors(response) == [("IMAGE_TOO_MANY_PIXELS", "image")]
    assert support.catalogue_rows() == before
    assert _media_files() == []


def test_the_pixel_budget_counts_width_times_height(gql_as, settings):
    settings.MARKET_MAX_IMAGE_PIXELS = 40 * 25
    product = ProductFactory(seller=SellerFactory(user=UserFactory()))

    over = _upload(gql_as, product, png_bytes((40, 26)))
    at_budget = _upload(gql_as, product, png_bytes((40, 25)))

    assert _errors(over) == [("IMAGE_TOO_MANY_PIXELS", "image")]
    assert _errors(at_budget) == []
    assert ProductImage.objects.filter(product=product).count() == 1


def test_pillows_own_bomb_guard_follows_the_pixel_budget():
    assert Image.MAX_IMAGE_PIXELS == settings.MARKET_MAX_IMAGE_PIXELS == 40_000_000


def test_an_image_stored_before_the_budget_gets_no_thumbnail_and_is_logged(settings, caplog):
    image = ProductImageFactory(image=ContentFile(png_bytes((400, 300)), name="old.png"))
    settings.MARKET_MAX_IMAGE_PIXELS = 400 * 300 - 1

    with caplog.at_level(logging.WARNING, logger="market.catalog.services"):
        result = product_image_generate_thumbnail(image_id=image.pk)

    assert result.thumbnail.name == ""
    image.refresh_from_db()
    assert image.thumbnail.name == ""
    assert "gets no thumbnail" in caplog.text


def test_a_thumbnail_task_on_an_image_that_cannot_be_decoded_ends_at_the_first_attempt(caplog):
    """Its pixel data is broken: every attempt would fail the same way, so the task ends at the
    first one (it used to retry five times, as if the storage had been down)."""
    image = ProductImageFactory(image=ContentFile(png_with_broken_pixels(), name="broken.png"))

    with caplog.at_level(logging.WARNING, logger="market.catalog.services"):
        result = generate_product_thumbnail.apply(kwargs={"image_id": image.pk})

    assert result.successful()
    image.refresh_from_db()
    assert image.thumbnail.name == ""
    assert caplog.text.count("gets no thumbnail") == 1


def test_a_thumbnail_task_lost_with_its_worker_is_not_handed_to_another():
    """An image that killed a worker (its memory) must not be given to the next one."""
    assert generate_product_thumbnail.reject_on_worker_lost is False


def test_a_large_jpeg_gets_its_thumbnail_at_the_configured_size(settings):
    data = io.BytesIO()
    Image.new("RGB", (4000, 3000), "navy").save(data, format="JPEG")
    image = ProductImageFactory(image=ContentFile(data.getvalue(), name="big.jpg"))

    product_image_generate_thumbnail(image_id=image.pk)

    image.refresh_from_db()
    with Image.open(image.thumbnail.path) as thumbnail:
        assert thumbnail.format == "JPEG"
        assert thumbnail.size == (settings.MARKET_THUMBNAIL_SIZE, 240)


@pytest.mark.timeout(60)
def test_a_scanned_document_declaring_too_many_pixels_is_refused_with_a_code(gql_as):
    maker = UserFactory()
    seller = application(user=maker)

    response = gql_as(maker).upload(
        UPLOAD,
        {"kind": "residency_certificate", "file": None},
        {"variables.file": SimpleUploadedFile("scan.png", png_of_one_colour(20_000, 20_000))},
    )

    errors = response.json()["data"]["sellerDocumentUpload"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("IMAGE_TOO_MANY_PIXELS", "file")]
    assert SellerDocument.objects.filter(seller=seller).count() == 0

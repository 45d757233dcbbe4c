"""Product photos through the API: multipart upload, order, removal."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from market.catalog.models import ProductImage
from tests.catalog.seller import support
from tests.factories import ProductFactory, ProductImageFactory, SellerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _owner():
    return SellerFactory(user=UserFactory())


def _errors(response, name):
    return [(e["code"], e["field"]) for e in support.payload(response, name)["errors"]]


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_png_uploaded_through_multipart_becomes_the_products_image(
    gql_as, django_capture_on_commit_callbacks
):
    seller = _owner()
    product = ProductFactory(seller=seller)

    with django_capture_on_commit_callbacks() as callbacks:
        response = gql_as(seller.user).upload(
            support.IMAGE_CREATE,
            {"productId": support.gid(product), "image": None, "alt": "The front"},
            {"variables.image": support.png_file("kilim.png")},
        )

    data = support.payload(response, "productImageCreate")
    assert data["errors"] == []
    image = ProductImage.objects.get(product=product)
    assert data["image"]["id"] == support.gid(image)
    assert data["image"]["alt"] == "The front"
    assert data["image"]["url"].endswith(image.image.url)
    assert data["product"]["images"] == [{"id": support.gid(image)}]
    assert Path(image.image.path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The thumbnail task, sent once the row is committed (the other callbacks drop the
    # catalogue's kept answers that show the product).
    assert len([c for c in callbacks if "enqueue_on_commit" in c.__qualname__]) == 1


def test_a_file_that_is_not_an_image_is_refused(gql_as):
    seller = _owner()
    product = ProductFactory(seller=seller)
    before = support.catalogue_rows()

    response = gql_as(seller.user).upload(
        support.IMAGE_CREATE,
        {"productId": support.gid(product), "image": None},
        {"variables.image": SimpleUploadedFile("notes.png", b"%PDF-1.4 not an image")},
    )

    assert _errors(response, "productImageCreate") == [("INVALID_IMAGE", "image")]
    assert support.catalogue_rows() == before
    assert _stored_files() == []


def test_an_image_over_the_size_limit_is_refused(gql_as, settings):
    settings.MARKET_MAX_IMAGE_BYTES = 100
    seller = _owner()
    product = ProductFactory(seller=seller)
    before = support.catalogue_rows()

    response = gql_as(seller.user).upload(
        support.IMAGE_CREATE,
        {"productId": support.gid(product), "image": None},
        {"variables.image": support.png_file(size=(400, 400))},
    )

    assert _errors(response, "productImageCreate") == [("IMAGE_TOO_LARGE", "image")]
    assert support.catalogue_rows() == before
    assert _stored_files() == []


def test_images_are_reordered_as_given(gql_as):
    seller = _owner()
    product = ProductFactory(seller=seller)
    first, second, third = (ProductImageFactory(product=product, sort_order=i) for i in range(3))

    response = gql_as(seller.user).post(
        support.IMAGE_REORDER,
        {
            "productId": support.gid(product),
            "imageIds": [support.gid(third), support.gid(first), support.gid(second)],
        },
    )

    assert support.payload(response, "productImageReorder")["product"]["images"] == [
        {"id": support.gid(third)},
        {"id": support.gid(first)},
        {"id": support.gid(second)},
    ]


@pytest.mark.parametrize("pick", ["missing_one", "duplicate", "another_products", "not_an_image"])
def test_reorder_refuses_anything_but_exactly_the_products_images(gql_as, pick):
    seller = _owner()
    product = ProductFactory(seller=seller)
    first = ProductImageFactory(product=product, sort_order=0)
    second = ProductImageFactory(product=product, sort_order=1)
    stranger = ProductImageFactory(product=ProductFactory(seller=seller))
    ids = {
        "missing_one": [support.gid(second)],
        "duplicate": [support.gid(second), support.gid(first), support.gid(first)],
        "another_products": [support.gid(second), support.gid(first), support.gid(stranger)],
        "not_an_image": [support.gid(second), support.gid(product)],
    }[pick]
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(
        support.IMAGE_REORDER, {"productId": support.gid(product), "imageIds": ids}
    )

    assert _errors(response, "productImageReorder") == [("INVALID", "imageIds")]
    assert support.catalogue_rows() == before


def test_reorder_refuses_more_than_50_ids(gql_as):
    seller = _owner()
    product = ProductFactory(seller=seller)
    image = ProductImageFactory(product=product)
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(
        support.IMAGE_REORDER,
        {"productId": support.gid(product), "imageIds": [support.gid(image)] * 51},
    )

    assert _errors(response, "productImageReorder") == [("INVALID", "imageIds")]
    assert support.catalogue_rows() == before


def test_deleting_an_image_removes_its_row_and_its_file_after_commit(
    gql_as, django_capture_on_commit_callbacks
):
    seller = _owner()
    image = ProductImageFactory(product__seller=seller)
    path = Path(image.image.path)

    with django_capture_on_commit_callbacks(execute=True):
        response = gql_as(seller.user).post(support.IMAGE_DELETE, {"id": support.gid(image)})

    assert support.payload(response, "productImageDelete") == {
        "product": {"images": []},
        "errors": [],
    }
    assert not ProductImage.objects.filter(pk=image.pk).exists()
    assert not path.exists()

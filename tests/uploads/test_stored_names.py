"""An upload never becomes a page on our domain: it is stored under a name we generate, typed
by its verified content, and whatever is not a public image is kept out of MEDIA_ROOT."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from market.catalog.admin import ProductImageForm
from market.catalog.import_models import ProductImport, ProductImportStatus
from market.catalog.imports import product_import_run
from market.catalog.models import Product, ProductImage
from market.core.storage import private_storage
from market.sellers.models import SellerDocument
from tests.catalog.seller import support
from tests.catalog_import.helpers import SAMPLE, make_catalogue
from tests.factories import ProductFactory, SellerFactory, UserFactory
from tests.sellers.helpers import PDF_BYTES, UPLOAD, application
from tests.uploads.images import png_bytes

pytestmark = pytest.mark.django_db

IMPORT_CREATE = """mutation ($file: Upload!) {
  productImportCreate(file: $file) { productImport { id originalName totalRows }
                                     errors { field code message } } }"""
GENERATED = r"[0-9a-f]{32}"


def _files_under(root) -> list[Path]:
    root = Path(root)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_png_named_like_a_page_is_stored_under_a_generated_png_name_and_served_as_png(
    gql_as, client
):
    seller = SellerFactory(user=UserFactory())
    product = ProductFactory(seller=seller)

    response = gql_as(seller.user).upload(
        support.IMAGE_CREATE,
        {"productId": support.gid(product), "image": None},
        {"variables.image": SimpleUploadedFile("x.html", png_bytes(), content_type="text/html")},
    )

    assert support.payload(response, "productImageCreate")["errors"] == []
    image = ProductImage.objects.get(product=product)
    assert re.fullmatch(rf"products/\d{{4}}/\d{{2}}/{GENERATED}\.png", image.image.name)
    served = client.get(image.image.url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert not served.get("Content-Disposition", "inline").startswith("attachment")
    assert b"".join(served.streaming_content) == png_bytes()


def test_a_csv_named_like_a_page_is_kept_privately_under_a_generated_name_and_imported(gql_as):
    make_catalogue()
    seller = SellerFactory(user=UserFactory())

    response = gql_as(seller.user).upload(
        IMPORT_CREATE,
        {"file": None},
        {
            "variables.file": SimpleUploadedFile(
                "x.html", SAMPLE.read_bytes(), content_type="text/html"
            )
        },
    )

    created = support.payload(response, "productImportCreate")
    assert created["errors"] == []
    assert created["productImport"]["originalName"] == "x.html"
    product_import = ProductImport.objects.get(seller=seller)
    assert re.fullmatch(rf"imports/\d{{4}}/\d{{2}}/{GENERATED}\.csv", product_import.file.name)
    assert _files_under(settings.MEDIA_ROOT) == []
    stored = Path(private_storage().path(product_import.file.name))
    assert stored.read_bytes() == SAMPLE.read_bytes()
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())

    product_import_run(import_id=product_import.pk)

    product_import.refresh_from_db()
    assert product_import.status == ProductImportStatus.COMPLETED
    assert product_import.products_created == Product.objects.filter(seller=seller).count() > 0


def test_a_seller_document_named_like_a_page_is_kept_privately_under_a_generated_pdf_name(gql_as):
    maker = UserFactory()
    application(user=maker)

    response = gql_as(maker).upload(
        UPLOAD,
        {"kind": "residency_certificate", "file": None},
        {"variables.file": SimpleUploadedFile("x.html", PDF_BYTES, content_type="text/html")},
    )

    assert response.json()["data"]["sellerDocumentUpload"]["errors"] == []
    document = SellerDocument.objects.get(seller__user=maker)
    assert document.original_name == "x.html"
    assert re.fullmatch(rf"seller-documents/\d{{4}}/\d{{2}}/{GENERATED}\.pdf", document.file.name)
    assert Path(private_storage().path(document.file.name)).read_bytes() == PDF_BYTES
    assert _files_under(settings.MEDIA_ROOT) == []


def test_an_image_staff_upload_in_the_admin_is_stored_under_a_name_typed_by_its_content():
    product = ProductFactory()
    form = ProductImageForm(
        data={"alt": "Front", "sort_order": 0},
        files={"image": SimpleUploadedFile("photo.jpg", png_bytes(), content_type="image/jpeg")},
        instance=ProductImage(product=product),
    )

    assert form.is_valid(), form.errors
    image = form.save()

    assert re.fullmatch(rf"products/\d{{4}}/\d{{2}}/{GENERATED}\.png", image.image.name)
    assert Path(image.image.path).read_bytes() == png_bytes()


def test_an_image_staff_upload_over_the_pixel_budget_is_refused_in_the_admin(settings):
    settings.MARKET_MAX_IMAGE_PIXELS = 100
    product = ProductFactory()
    form = ProductImageForm(
        data={"alt": "Front", "sort_order": 0},
        files={"image": SimpleUploadedFile("big.png", png_bytes())},
        instance=ProductImage(product=product),
    )

    assert not form.is_valid()
    assert [error.code for error in form.errors.as_data()["image"]] == ["image_too_many_pixels"]
    assert ProductImage.objects.count() == 0
    assert _files_under(settings.MEDIA_ROOT) == []

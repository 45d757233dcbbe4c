"""Private files: one storage beside MEDIA_ROOT, no URL, staff download them in the admin."""

import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from market.catalog.import_models import ProductImport
from market.catalog.imports import product_import_create
from market.core.storage import private_storage
from market.orders.models import CustomsDocument
from market.sellers.models import SellerDocument
from tests.catalog_import.helpers import SAMPLE, upload
from tests.factories import SellerFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_documents_customs_papers_and_imports_share_the_one_private_storage():
    storages = {
        model._meta.get_field("file").storage
        for model in (SellerDocument, CustomsDocument, ProductImport)
    }

    assert storages == {private_storage()}
    with pytest.raises(ValueError):
        private_storage().url("imports/2026/01/a.csv")


def test_staff_download_an_import_file_under_the_sellers_name_as_an_attachment(client):
    seller = SellerFactory(user=UserFactory())
    product_import = product_import_create(
        seller=seller, user=seller.user, upload=upload(SAMPLE.read_bytes(), "rugs.csv")
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:catalog_productimport_change", args=[product_import.pk]))
    download = client.get(reverse("admin:catalog_productimport_file", args=[product_import.pk]))

    assert page.status_code == 200
    assert reverse("admin:catalog_productimport_file", args=[product_import.pk]) in (
        page.content.decode()
    )
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="rugs.csv"'
    assert b"".join(download.streaming_content) == SAMPLE.read_bytes()


def test_staff_without_access_to_imports_cannot_download_their_files(client):
    seller = SellerFactory(user=UserFactory())
    product_import = product_import_create(
        seller=seller, user=seller.user, upload=upload(SAMPLE.read_bytes())
    )
    client.force_login(StaffFactory())

    response = client.get(reverse("admin:catalog_productimport_file", args=[product_import.pk]))

    assert response.status_code in (403, 404)


def test_the_migration_moves_import_files_out_of_the_public_media_folder():
    """Imports uploaded before the move keep working: their files follow them, same names."""
    migration = importlib.import_module(
        "market.catalog.migrations.0006_product_import_private_file"
    )
    seller = SellerFactory(user=UserFactory())
    name = "imports/2026/01/rugs.csv"
    default_storage.save(name, ContentFile(SAMPLE.read_bytes()))
    ProductImport.objects.create(seller=seller, file=name, original_name="rugs.csv")

    migration.move_uploaded_files(apps, None)

    assert not default_storage.exists(name)
    with private_storage().open(name, "rb") as moved:
        assert moved.read() == SAMPLE.read_bytes()

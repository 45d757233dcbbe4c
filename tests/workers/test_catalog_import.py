import time

import pytest

from market.catalog.import_models import ProductImport, ProductImportStatus
from market.catalog.imports import product_import_create
from market.catalog.models import Product, ProductStatus
from tests.catalog_import.helpers import SAMPLE, make_catalogue, upload
from tests.celery_worker import worker_log
from tests.factories import SellerFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_imports_an_uploaded_csv_after_it_is_committed(
    celery_worker_process, settings
):
    settings.MEDIA_ROOT = celery_worker_process.media_root
    make_catalogue()
    seller = SellerFactory(user=UserFactory())

    product_import = product_import_create(
        seller=seller, user=seller.user, upload=upload(SAMPLE.read_bytes())
    )

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        product_import = ProductImport.objects.get(pk=product_import.pk)
        if product_import.status in (ProductImportStatus.COMPLETED, ProductImportStatus.FAILED):
            break
        time.sleep(0.2)
    log = worker_log(celery_worker_process)
    assert product_import.status == ProductImportStatus.COMPLETED, (
        f"import {product_import.status} ({product_import.failure_message}) after 60 s; "
        f"worker log:\n{log}"
    )
    assert (
        product_import.processed_rows,
        product_import.products_created,
        product_import.variants_created,
        product_import.errors,
    ) == (4, 3, 4, [])
    assert set(Product.objects.filter(seller=seller).values_list("status", flat=True)) == {
        ProductStatus.DRAFT
    }

"""Two workers handed the same import at once (a redelivered message): one imports it."""

import threading

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from market.catalog.import_models import ProductImport
from market.catalog.imports import ProductImportBusy, product_import_run
from market.catalog.models import Product
from tests.catalog_import.helpers import SAMPLE, make_catalogue
from tests.factories import SellerFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_racing_runs_import_the_file_once():
    make_catalogue()
    seller = SellerFactory(user=UserFactory())
    # Made directly rather than uploaded: an upload would also queue a message that a real
    # worker started by another test could pick up.
    product_import = ProductImport(seller=seller, uploaded_by=seller.user, total_rows=4)
    product_import.file.save("sample.csv", ContentFile(SAMPLE.read_bytes()))
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            start.wait()
            product_import_run(import_id=product_import.pk)
            outcomes.append("ran")
        except ProductImportBusy:
            outcomes.append("busy")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["busy", "ran"]
    finished = ProductImport.objects.get(pk=product_import.pk)
    assert (finished.status, finished.attempt, finished.products_created) == ("completed", 1, 3)
    assert Product.objects.count() == 3

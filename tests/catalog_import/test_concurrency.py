"""Two workers handed the same import at once (a redelivered message): one imports it."""

import pytest
from django.core.files.base import ContentFile

from market.catalog.import_models import ProductImport
from market.catalog.imports import ProductImportBusy, product_import_run
from market.catalog.models import Product
from tests.catalog_import.helpers import SAMPLE, make_catalogue
from tests.concurrency import race
from tests.factories import SellerFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_racing_runs_import_the_file_once():
    make_catalogue()
    seller = SellerFactory(user=UserFactory())
    # Made directly rather than uploaded: an upload would also queue a message that a real
    # worker started by another test could pick up.
    product_import = ProductImport(seller=seller, uploaded_by=seller.user, total_rows=4)
    product_import.file.save("sample.csv", ContentFile(SAMPLE.read_bytes()))
    outcomes = race(*[lambda: product_import_run(import_id=product_import.pk)] * 2)

    ran = [o for o in outcomes if not isinstance(o, Exception)]
    busy = [o for o in outcomes if isinstance(o, ProductImportBusy)]
    assert (len(ran), len(busy)) == (1, 1), outcomes
    finished = ProductImport.objects.get(pk=product_import.pk)
    assert (finished.status, finished.attempt, finished.products_created) == ("completed", 1, 3)
    assert Product.objects.count() == 3

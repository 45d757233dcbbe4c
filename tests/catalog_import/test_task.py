"""The task is thin: it runs the import, and comes back later while another run holds it."""

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.utils import timezone

from market.catalog.import_models import ProductImport, ProductImportStatus
from market.catalog.imports import claim_expires_after, product_import_create
from market.catalog.models import Product
from tests.catalog_import.helpers import SAMPLE, make_catalogue, upload
from tests.factories import SellerFactory, UserFactory
from workers.catalog_imports import run_product_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def product_import():
    make_catalogue()
    seller = SellerFactory(user=UserFactory())
    return product_import_create(
        seller=seller, user=seller.user, upload=upload(SAMPLE.read_bytes())
    )


def test_the_task_imports_the_file(product_import):
    run_product_import.apply(kwargs={"import_id": product_import.pk})

    product_import.refresh_from_db()
    assert (product_import.status, product_import.products_created) == ("completed", 3)


def test_the_task_retries_later_while_another_run_holds_the_import(product_import, monkeypatch):
    ProductImport.objects.filter(pk=product_import.pk).update(
        status=ProductImportStatus.RUNNING, attempt=1, heartbeat_at=timezone.now()
    )
    asked = []

    def retry(*, countdown, **kwargs):
        asked.append(countdown)
        return Retry()

    monkeypatch.setattr(run_product_import, "retry", retry)

    with pytest.raises(Retry):
        run_product_import(import_id=product_import.pk)

    # The other run may live until the hard time limit: the task comes back once it is over.
    assert len(asked) == 1
    assert settings.CELERY_TASK_TIME_LIMIT < asked[0] <= claim_expires_after().total_seconds() + 1
    assert Product.objects.count() == 0

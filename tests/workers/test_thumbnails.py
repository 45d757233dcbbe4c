import io
import time

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from market.catalog.models import ProductImage
from market.catalog.services import product_image_add
from tests.celery_worker import worker_log
from tests.factories import ProductFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_makes_the_thumbnail_after_the_image_is_committed(
    celery_worker_process, settings
):
    settings.MEDIA_ROOT = celery_worker_process.media_root
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), "darkred").save(buffer, format="JPEG")
    product = ProductFactory()

    image = product_image_add(product=product, upload=ContentFile(buffer.getvalue(), "rug.jpg"))

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        image = ProductImage.objects.get(pk=image.pk)
        if image.thumbnail:
            break
        time.sleep(0.2)
    log = worker_log(celery_worker_process)
    assert image.thumbnail, f"no thumbnail after 60 s; worker log:\n{log}"
    with Image.open(image.thumbnail.path) as thumb:
        assert thumb.size == (320, 240)

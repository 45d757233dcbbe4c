import time
from pathlib import Path

import pytest
from django.db import transaction

from market.core.tasks import enqueue_on_commit
from market.orders.models import CustomsDocument, OrderEvent
from tests.celery_worker import worker_log
from tests.orders.fulfilment.helpers import maker, paid_order

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _succeeded(process) -> int:
    """How many order-paid messages the worker has finished so far."""
    # A fresh read of the file: seeking the shared handle would move the worker's offset too.
    text = Path(process.log.name).read_bytes().decode(errors="replace")
    return sum(
        1 for line in text.splitlines() if "fulfilment.order_paid" in line and "succeeded" in line
    )


def test_a_real_worker_notifies_the_seller_and_makes_the_papers_once_the_payment_commits(
    celery_worker_process, settings
):
    settings.MEDIA_ROOT = celery_worker_process.media_root
    seller = maker(price="100.00")
    done_before = _succeeded(celery_worker_process)
    with transaction.atomic():
        order = paid_order((seller, 1))
        # What the payments service does after marking the order paid, twice over (a retried
        # webhook): the work is done once.
        enqueue_on_commit("fulfilment.order_paid", order_id=order.pk)
        enqueue_on_commit("fulfilment.order_paid", order_id=order.pk)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _succeeded(celery_worker_process) >= done_before + 2:
            break
        time.sleep(0.2)
    log = worker_log(celery_worker_process)
    assert _succeeded(celery_worker_process) == done_before + 2, log
    assert list(
        CustomsDocument.objects.filter(part__order=order).values_list("kind", flat=True)
    ) == ["CN22"], log
    assert OrderEvent.objects.filter(order=order, kind="seller_notified").count() == 1

"""A worker killed in the middle of a CSV import: after a new worker starts, the import
completes once, with every product created exactly once.

Real processes on the real broker: a ``celery worker`` (prefork, one child) imports a file of a
few thousand products; when the import shows progress the test SIGKILLs the worker's whole
process group (the machine is gone: no parent left to give the message back). A new worker
finds the unacknowledged message once the broker's visibility timeout has passed, waits out the
dead run's claim, takes the import over and finishes it. The workers run with short limits
(visibility timeout 12 s, time limits 4/5 s, so runs of 2 s) to keep the test short; the rule
they keep is production's: run budget < soft limit < hard limit < visibility timeout.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

from market.catalog.import_models import ProductImport, ProductImportStatus
from market.catalog.imports import product_import_create
from market.catalog.models import Product, ProductVariant
from tests.catalog_import.helpers import csv_bytes, make_catalogue, upload
from tests.celery_worker import start_worker, worker_log
from tests.conftest import service_required
from tests.factories import SellerFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Enough products that the first worker is still importing when it shows a tenth of them done,
# even on a fast machine (a product is a few dozen queries).
ROWS = 500
SHORT_LIMITS = {
    "CELERY_BROKER_VISIBILITY_TIMEOUT": "12",
    "CELERY_TASK_SOFT_TIME_LIMIT": "4",
    "CELERY_TASK_TIME_LIMIT": "5",
}
PREFORK_ONE_CHILD = ("--pool=prefork", "--concurrency=1")


def wait_for(condition, *, seconds: float, what: str, processes=()):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    logs = "\n\n".join(worker_log(p) for p in processes)
    pytest.fail(f"{what}: not within {seconds} s; worker logs:\n{logs}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    process.log.close()


def test_an_import_whose_worker_is_killed_completes_once_on_a_new_worker(tmp_path):
    service_required(bool(settings.REDIS_URL), "needs Redis as the broker: set REDIS_URL")
    from workers.app import app

    media_root = Path(settings.MEDIA_ROOT)  # this test's own (tests/conftest.py)
    app.control.purge()
    make_catalogue()
    seller = SellerFactory(user=UserFactory())
    skus = [f"KILL-{i:05d}" for i in range(ROWS)]
    data = csv_bytes(
        [[f"k{i}", f"Rug {i}", "carpets", sku, "100.00", "1"] for i, sku in enumerate(skus)]
    )

    first = start_worker(
        media_root=media_root,
        log=open(tmp_path / "first.log", "w+b"),  # noqa: SIM115
        pool=PREFORK_ONE_CHILD,
        env=SHORT_LIMITS,
        own_process_group=True,
    )
    second = None
    try:
        product_import = product_import_create(seller=seller, user=seller.user, upload=upload(data))

        def mid_way():
            row = ProductImport.objects.values("status", "processed_rows").get(pk=product_import.pk)
            return (
                row["status"] == ProductImportStatus.RUNNING and row["processed_rows"] >= ROWS // 10
            )

        wait_for(mid_way, seconds=120, what="the import shows progress", processes=[first])
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        frozen = ProductImport.objects.get(pk=product_import.pk)
        assert frozen.processed_rows < ROWS, "the file was imported before the kill: make it longer"

        second = start_worker(
            media_root=media_root,
            log=open(tmp_path / "second.log", "w+b"),  # noqa: SIM115
            pool=PREFORK_ONE_CHILD,
            env=SHORT_LIMITS,
            own_process_group=True,
        )
        started = time.monotonic()
        moved_again = []

        def finished():
            done = ProductImport.objects.get(pk=product_import.pk)
            if not moved_again and done.processed_rows > frozen.processed_rows:
                moved_again.append(time.monotonic() - started)
            return (
                done
                if done.status in (ProductImportStatus.COMPLETED, ProductImportStatus.FAILED)
                else None
            )

        done = wait_for(
            finished, seconds=300, what="the import finishes", processes=[first, second]
        )
        print(
            f"killed after {frozen.processed_rows}/{ROWS} rows ({frozen.status}, attempt "
            f"{frozen.attempt}); the new worker resumed it after {moved_again[0]:.1f} s and "
            f"finished in {time.monotonic() - started:.1f} s, "
            f"{done.attempt - frozen.attempt} runs, {done.takeovers} takeover(s)"
        )
    finally:
        stop(first)
        if second is not None:
            stop(second)

    assert done.status == ProductImportStatus.COMPLETED, done.failure_message
    assert (done.processed_rows, done.products_created, done.variants_created, done.errors) == (
        ROWS,
        ROWS,
        ROWS,
        [],
    )
    assert Product.objects.filter(seller=seller).count() == ROWS
    assert (
        sorted(ProductVariant.objects.filter(product__seller=seller).values_list("sku", flat=True))
        == skus
    )
    # The dead run's import was taken over once; when the kill fell between two runs (the
    # import was pending, the next run's message queued), nothing needed taking over.
    expected_takeovers = 1 if frozen.status == ProductImportStatus.RUNNING else 0
    assert done.takeovers == expected_takeovers
    assert done.attempt > frozen.attempt

"""The outbox with a real worker on a broker of the test's own: a broker outage loses no work
and doubles none, a message delivered twice runs once, and retries wait in the outbox."""

import datetime as dt
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import tests.workers.outbox_tasks  # noqa: F401  (the test process knows the test tasks too)
from market.catalog.import_models import ProductImport, ProductImportStatus
from market.catalog.models import Product
from market.core.models import OutboxMessage
from market.core.tasks import enqueue_on_commit, message_publish
from market.orders.models import Order, OrderEvent
from tests.catalog_import.helpers import SAMPLE, make_catalogue
from tests.celery_worker import (
    publish_to,
    start_worker,
    stop_worker,
    worker_log,
    worker_log_file,
)
from tests.factories import (
    SellerFactory,
    UserFactory,
    euro_rate,
    ready_checkout,
    seller_with_variant,
)
from tests.payments.helpers import PAYMENT_CREATE, SUCCEEDS
from tests.servers import RedisServer

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REGISTER = """mutation($input: AccountRegisterInput!) {
  accountRegister(input: $input) { errors { field code message } } }"""
COMPLETE = """mutation($token: UUID!, $key: String!) {
  checkoutComplete(token: $token, idempotencyKey: $key) {
    order { token number status } errors { field code message } } }"""
IMPORT_CREATE = """mutation($file: Upload!) {
  productImportCreate(file: $file) { productImport { id } errors { field code message } } }"""


@pytest.fixture
def broker(tmp_path, monkeypatch):
    server = RedisServer(tmp_path)
    publish_to(monkeypatch, server.url)
    yield server
    server.stop()


@pytest.fixture
def outbox_worker(broker, tmp_path_factory, settings):
    """``outbox_worker()`` starts a worker on ``broker`` (with the outbox's test tasks and a
    relay that looks every 0.2 s), its e-mails written to files; stopped after the test."""
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    media_root = tmp_path_factory.mktemp("worker-media")
    settings.MEDIA_ROOT = media_root
    started = []

    def start():
        process = start_worker(
            media_root=media_root,
            log=worker_log_file(tmp_path_factory),
            env={
                "CELERY_BROKER_URL": broker.url,
                "MEDIA_ROOT": str(media_root),
                "EMAIL_URL": f"filemail:///{mail_dir}",
                "OUTBOX_RELAY_GRACE_SECONDS": "0.5",
                "OUTBOX_RELAY_INTERVAL_SECONDS": "0.2",
            },
            args=["--include", "tests.workers.outbox_tasks"],
        )
        process.mail_dir = mail_dir
        started.append(process)
        return process

    yield start
    for process in started:
        stop_worker(process)


def _wait_for(condition, process, what: str, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    pytest.fail(f"{what} not within {seconds} s; worker log:\n{worker_log(process)}")


def _subjects(mail_dir: Path) -> list[str]:
    return sorted(
        line.removeprefix("Subject: ")
        for path in mail_dir.glob("*.log")
        for line in path.read_text().splitlines()
        if line.startswith("Subject: ")
    )


def _all_done() -> bool:
    return not OutboxMessage.objects.filter(done_at__isnull=True).exists()


def test_with_the_broker_down_the_api_answers_and_every_follow_up_runs_once_when_it_is_back(
    broker, outbox_worker, gql, gql_as
):
    """The issue's acceptance test: register, complete a checkout, pay it and start a
    bulk-listing import while the broker is down; every mutation succeeds; once the broker is
    back a worker's relay delivers it all and each follow-up happens exactly once."""
    euro_rate()
    buyer_checkout_seller, variant = seller_with_variant(price="100.00", stock=5, name="Kilim")
    checkout = ready_checkout(lines=[(variant, 1)], country="DE")
    make_catalogue()
    importer = SellerFactory(user=UserFactory())
    broker.stop()

    registered = gql.execute(
        REGISTER,
        {"input": {"email": "maker@example.com", "password": "a long enough passphrase"}},
    )["accountRegister"]
    completed = gql.execute(COMPLETE, {"token": str(checkout.token), "key": "complete-1"})[
        "checkoutComplete"
    ]
    paid = gql.execute(
        PAYMENT_CREATE,
        {"orderToken": completed["order"]["token"], "card": SUCCEEDS, "idempotencyKey": "pay-1"},
    )["orderPaymentCreate"]
    response = gql_as(importer.user).upload(
        IMPORT_CREATE,
        {"file": None},
        {"variables.file": SimpleUploadedFile("p.csv", SAMPLE.read_bytes(), "text/csv")},
    )

    assert registered["errors"] == []
    assert completed["errors"] == []
    assert paid["errors"] == [] and paid["payment"]["status"] == "SUCCEEDED"
    assert response.status_code == 200, response.content
    assert response.json()["data"]["productImportCreate"]["errors"] == []
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert sorted(waiting.values_list("task_name", flat=True)) == [
        "catalog.run_product_import",
        "core.send_email",
        "core.send_email",
        "core.send_email",
        "fulfilment.order_paid",
    ]

    broker.start()
    worker = outbox_worker()

    order = Order.objects.get()
    product_import = ProductImport.objects.get()

    def finished() -> bool:
        status = ProductImport.objects.values_list("status", flat=True).get(pk=product_import.pk)
        return (
            status in (ProductImportStatus.COMPLETED, ProductImportStatus.FAILED)
            and _all_done()
            # the seller's notice, queued by fulfilment.order_paid in the worker
            and OutboxMessage.objects.count() == 6
        )

    _wait_for(finished, worker, "every follow-up")
    product_import.refresh_from_db()
    assert product_import.status == ProductImportStatus.COMPLETED, worker_log(worker)
    assert Product.objects.filter(seller=importer).count() == 3
    assert _subjects(worker.mail_dir) == sorted(
        [
            "Confirm your e-mail address for Creative Market",
            f"Your order {order.number}",
            f"New order {order.number}",
            f"Order {order.number} is paid: please send your part",
        ]
    )
    assert OrderEvent.objects.filter(order=order, kind="seller_notified").count() == 1
    part = order.parts.get()
    assert part.customs_documents.count() == 1
    assert OutboxMessage.objects.filter(done_at__isnull=False).count() == 6


def test_a_message_delivered_twice_runs_its_task_once(broker, outbox_worker):
    worker = outbox_worker()
    enqueue_on_commit("core.send_email", to=["twice@example.com"], subject="Once", body="-")
    message = OutboxMessage.objects.get()
    _wait_for(_all_done, worker, "the first delivery")

    message_publish(message)  # as a relay would after a crash before recording the publish
    message.refresh_from_db()
    done_at = message.done_at
    _wait_for(lambda: "delivery skipped" in worker_log(worker), worker, "the second delivery")

    assert _subjects(worker.mail_dir) == ["Once"]
    message.refresh_from_db()
    assert message.done_at == done_at


def test_a_retry_waits_in_the_outbox_and_carries_its_count(broker, outbox_worker, tmp_path):
    worker = outbox_worker()
    marker = tmp_path / "runs"
    enqueue_on_commit("tests.outbox.fails_then_succeeds", marker=str(marker), failures=2)

    _wait_for(lambda: OutboxMessage.objects.count() == 3 and _all_done(), worker, "two retries")

    assert marker.read_text().splitlines() == ["0", "1", "2"]
    messages = list(OutboxMessage.objects.order_by("created_at"))
    assert [m.headers.get("retries", 0) for m in messages] == [0, 1, 2]
    # Each retry was recorded with its countdown, not handed to the broker with an ETA.
    for first, retry in zip(messages, messages[1:], strict=False):
        assert retry.available_at - retry.created_at >= dt.timedelta(seconds=1)
        assert retry.kwargs == first.kwargs


def test_an_automatic_retry_stops_at_max_retries(broker, outbox_worker, tmp_path):
    worker = outbox_worker()
    marker = tmp_path / "runs"
    enqueue_on_commit("tests.outbox.always_fails", marker=str(marker))

    _wait_for(
        lambda: (
            "OSError" in worker_log(worker)
            and OutboxMessage.objects.count() == 3
            and marker.exists()
            and len(marker.read_text().splitlines()) == 3
        ),
        worker,
        "three runs",
    )
    time.sleep(3)  # a fourth run would have come by now (retries are at most 2 s apart)

    assert marker.read_text().splitlines() == ["0", "1", "2"]
    assert OutboxMessage.objects.count() == 3
    assert "raised unexpected: OSError" in worker_log(worker)

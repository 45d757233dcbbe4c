"""The transactional outbox: a task is recorded with the change that needs it, published after
the commit when the broker answers, by the relay when it did not, and never twice by relays
working side by side."""

import datetime as dt
import json
import threading
import uuid

import pytest
import redis
from django.db import transaction
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError

from market.accounts.models import User
from market.core.context import request_id_reset, request_id_set
from market.core.models import OutboxMessage
from market.core.outbox import (
    outbox_lag_seconds,
    outbox_message_done,
    outbox_message_start,
    outbox_purge,
    outbox_relay_due,
    outbox_resend_unstarted,
)
from market.core.tasks import enqueue_on_commit
from tests.celery_worker import publish_to
from tests.servers import RedisServer

REGISTER = """mutation { accountRegister(input: {email: "new@example.com",
  password: "a long enough passphrase"}) { user { email } errors { code } } }"""


@pytest.fixture
def broker(tmp_path, monkeypatch):
    """A Redis of this test's own as the broker this process publishes to, running."""
    server = RedisServer(tmp_path)
    publish_to(monkeypatch, server.url)
    yield server
    server.stop()


def _row(**fields) -> OutboxMessage:
    return OutboxMessage.objects.create(
        task_name="core.send_email",
        kwargs={"to": ["a@example.com"], "subject": "s", "body": "b"},
        **fields,
    )


@pytest.mark.django_db
def test_a_task_enqueued_in_a_rolled_back_transaction_leaves_no_row(enqueued):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit("fulfilment.order_paid", order_id=7)
        raise RuntimeError("the change fails")

    assert OutboxMessage.objects.count() == 0
    assert enqueued == []


@pytest.mark.django_db
def test_a_committed_enqueue_leaves_one_row_with_its_kwargs_and_request_id(
    enqueued, django_capture_on_commit_callbacks
):
    token = request_id_set("req-1234")
    try:
        with django_capture_on_commit_callbacks(execute=False):
            enqueue_on_commit("fulfilment.order_paid", order_id=7)
    finally:
        request_id_reset(token)

    message = OutboxMessage.objects.get()
    assert (message.task_name, message.kwargs, message.headers) == (
        "fulfilment.order_paid",
        {"order_id": 7},
        {"request_id": "req-1234"},
    )
    assert message.sent_at is None
    assert enqueued == []


@pytest.mark.django_db
def test_a_misspelt_task_name_fails_in_the_service_and_records_nothing():
    with pytest.raises(KeyError):
        enqueue_on_commit("fulfilment.order_payed", order_id=7)

    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_the_publish_after_the_commit_sends_the_row_with_its_id_and_marks_it_sent(
    enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit("fulfilment.order_paid", order_id=7)

    message = OutboxMessage.objects.get()
    assert enqueued == [("fulfilment.order_paid", {"order_id": 7})]
    assert message.sent_at is not None
    assert message.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_the_publish_after_the_commit_reaches_the_broker_under_the_rows_id(broker):
    enqueue_on_commit("fulfilment.order_paid", order_id=7)

    message = OutboxMessage.objects.get()
    assert message.sent_at is not None
    assert broker.queue_length() == 1
    body = json.loads(redis.Redis(port=broker.port).lindex("celery", 0))
    assert body["headers"]["id"] == str(message.id)
    assert body["headers"]["outbox"] is True


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_registering_still_succeeds_and_the_row_waits(broker):
    broker.stop()

    client_response = Client().post(
        "/graphql/", {"query": REGISTER}, content_type="application/json"
    )

    body = client_response.json()
    assert client_response.status_code == 200
    assert "errors" not in body, body
    assert body["data"]["accountRegister"]["errors"] == []
    assert User.objects.filter(email="new@example.com").exists()
    message = OutboxMessage.objects.get()
    assert message.task_name == "core.send_email"
    assert message.sent_at is None
    assert message.last_error.startswith("OperationalError: ")
    assert message.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_the_relay_publishes_a_waiting_row_once_the_broker_is_back(broker):
    broker.stop()
    enqueue_on_commit("fulfilment.order_paid", order_id=7)
    assert OutboxMessage.objects.get().sent_at is None
    broker.start()

    published = outbox_relay_due(limit=10, grace_seconds=0)
    published_again = outbox_relay_due(limit=10, grace_seconds=0)

    assert (published, published_again) == (1, 0)
    assert OutboxMessage.objects.get().sent_at is not None
    assert broker.queue_length() == 1


@pytest.mark.django_db(transaction=True)
def test_the_relay_raises_the_brokers_error_and_keeps_the_row_while_the_broker_is_down(broker):
    broker.stop()
    _row(created_at=timezone.now() - dt.timedelta(minutes=1))

    with pytest.raises(OperationalError):
        outbox_relay_due(limit=10, grace_seconds=0)

    message = OutboxMessage.objects.get()
    assert message.sent_at is None
    assert (message.attempts, message.last_error[:17]) == (1, "OperationalError:")


@pytest.mark.django_db
def test_the_relay_leaves_young_rows_and_future_retries_alone(monkeypatch):
    published = []
    monkeypatch.setattr("market.core.outbox.message_publish", published.append)
    now = timezone.now()
    young = _row(created_at=now, available_at=now)
    later = _row(
        created_at=now - dt.timedelta(minutes=5), available_at=now + dt.timedelta(minutes=1)
    )
    due = _row(created_at=now - dt.timedelta(minutes=5), available_at=now - dt.timedelta(minutes=5))

    assert outbox_relay_due(limit=10, grace_seconds=5) == 1

    assert published == [due]
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 2
    assert {m.pk for m in OutboxMessage.objects.filter(sent_at__isnull=True)} == {
        young.pk,
        later.pk,
    }


@pytest.mark.django_db
def test_a_row_whose_task_no_longer_exists_is_set_aside_and_the_others_go(monkeypatch):
    published = []

    def publish(message):
        if message.task_name == "gone.task":
            raise KeyError(message.task_name)  # as Celery's registry does after a deploy
        published.append(message.task_name)

    monkeypatch.setattr("market.core.outbox.message_publish", publish)
    old = timezone.now() - dt.timedelta(minutes=5)
    gone = OutboxMessage.objects.create(task_name="gone.task", created_at=old, available_at=old)
    _row(created_at=old, available_at=old + dt.timedelta(seconds=1))

    assert outbox_relay_due(limit=10, grace_seconds=0) == 1

    gone.refresh_from_db()
    assert published == ["core.send_email"]
    assert gone.sent_at is None
    assert gone.available_at > timezone.now()
    assert gone.last_error.startswith("KeyError")


@pytest.mark.django_db(transaction=True)
def test_three_relays_at_once_publish_every_row_exactly_once(monkeypatch):
    """Two workers and beat each run a relay: they share the rows (SKIP LOCKED), none twice."""
    old = timezone.now() - dt.timedelta(minutes=1)
    ids = {_row(created_at=old, available_at=old).pk for _ in range(150)}
    published: list[uuid.UUID] = []
    lock = threading.Lock()

    def publish(message):
        with lock:
            published.append(message.pk)

    monkeypatch.setattr("market.core.outbox.message_publish", publish)
    start = threading.Barrier(3)
    failures = []

    def relay():
        from django.db import connection

        try:
            start.wait()
            while outbox_relay_due(limit=10, grace_seconds=0):
                pass
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(published) == 150
    assert set(published) == ids
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_a_second_delivery_of_a_done_message_does_not_run():
    message = _row()

    first = outbox_message_start(message_id=str(message.pk), lease_seconds=50)
    outbox_message_done(message_id=str(message.pk))
    second = outbox_message_start(message_id=str(message.pk), lease_seconds=50)

    assert (first, second) == (True, False)


@pytest.mark.django_db
def test_a_delivery_while_another_run_holds_the_message_is_published_again_after_its_lease(
    clock,
):
    message = _row(sent_at=timezone.now())
    assert outbox_message_start(message_id=str(message.pk), lease_seconds=50)
    started_at = OutboxMessage.objects.get().started_at

    clock.shift(10)
    assert not outbox_message_start(message_id=str(message.pk), lease_seconds=50)

    message.refresh_from_db()
    assert message.sent_at is None
    assert message.available_at == started_at + dt.timedelta(seconds=50)
    clock.shift(41)
    assert outbox_message_start(message_id=str(message.pk), lease_seconds=50)


@pytest.mark.django_db
def test_the_lag_is_the_age_of_the_oldest_due_unpublished_message(clock):
    assert outbox_lag_seconds() == 0.0
    now = timezone.now()
    _row(available_at=now - dt.timedelta(seconds=30))
    _row(available_at=now - dt.timedelta(seconds=90), sent_at=now)
    _row(available_at=now + dt.timedelta(seconds=600))

    assert outbox_lag_seconds() == 30.0


@pytest.mark.django_db
def test_a_message_published_long_ago_that_no_worker_began_is_published_again(broker):
    """A Redis restarted without persistence loses what it held: the outbox still knows."""
    now = timezone.now()
    lost = _row(sent_at=now - dt.timedelta(minutes=20))
    begun = _row(sent_at=now - dt.timedelta(minutes=20), started_at=now - dt.timedelta(minutes=19))
    done = _row(sent_at=now - dt.timedelta(minutes=20), done_at=now - dt.timedelta(minutes=19))
    recent = _row(sent_at=now - dt.timedelta(minutes=2))

    assert outbox_resend_unstarted(older_than_seconds=900) == 1
    assert outbox_resend_unstarted(older_than_seconds=900) == 0
    assert outbox_relay_due(limit=10, grace_seconds=0) == 1

    assert broker.queue_length() == 1
    assert OutboxMessage.objects.get(pk=lost.pk).sent_at > now
    for kept in (begun, done, recent):
        assert OutboxMessage.objects.get(pk=kept.pk).sent_at == kept.sent_at


@pytest.mark.django_db
def test_published_messages_older_than_the_kept_days_are_deleted():
    now = timezone.now()
    old = _row(sent_at=now - dt.timedelta(days=8), done_at=now - dt.timedelta(days=8))
    recent = _row(sent_at=now - dt.timedelta(days=6))
    waiting = _row(created_at=now - dt.timedelta(days=30))

    assert outbox_purge(keep_days=7) == 1

    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()

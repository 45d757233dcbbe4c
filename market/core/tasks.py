"""The domain's one door to the task queue: a transactional outbox.

Services name a task (``"catalog.generate_product_thumbnail"``) instead of importing ``workers``.
``enqueue_on_commit`` records it as an ``OutboxMessage`` row in the caller's transaction, so the
work commits with the change that needs it or not at all: a worker never sees a row that was
rolled back, and a broker that is down (or a process that dies) after the commit loses nothing.

Right after the commit the message is published at once (the fast path), with the row's id as
the task id. When the broker does not answer within ``OUTBOX_PUBLISH_TIMEOUT_SECONDS`` the error
is logged (at most once a minute per process) and swallowed: the change committed, so the
request succeeds, and the relay (``market.core.outbox``, run by the workers and beat) publishes
the row when the broker is back.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import celery
from celery import current_app
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import KombuError

from market.core.context import current_request_id
from market.core.models import OutboxMessage
from market.core.outages import Outage

logger = logging.getLogger(__name__)

# What publishing raises when the broker cannot take the message: Celery turns the transport's
# connection and channel errors into kombu's own (OperationalError, ChannelError, …).
BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuError,)
# After a failed publish, this process leaves new rows to the relay for a while instead of
# making every request wait for a broker that is down.
FAST_PATH_PAUSE_SECONDS = 10.0


def enqueue_on_commit(task_name: str, **kwargs: Any) -> None:
    """Records ``task_name(**kwargs)`` in the current transaction; it is published once the
    transaction commits (and never for a rolled-back one)."""
    current_app.tasks[task_name]  # noqa: B018  (a misspelt name fails here, in the service)
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs, headers=_headers())
    transaction.on_commit(lambda: _publish_after_commit(message))


def outbox_retry_enqueue(
    *,
    task_name: str,
    kwargs: dict[str, Any],
    retries: int,
    countdown: float,
    request_id: str | None,
    replaces: str | None,
) -> OutboxMessage:
    """Records the ``retries``-th retry of a task, due in ``countdown`` seconds, and marks the
    message it replaces (the run that failed) done, in one transaction. The relay publishes it
    when it is due: a retry waits in the database, never in the broker (where a message waiting
    longer than the visibility timeout would be given to a second worker)."""
    now = timezone.now()
    headers: dict[str, Any] = {"retries": retries}
    if request_id:
        headers["request_id"] = request_id
    with transaction.atomic():
        message = OutboxMessage.objects.create(
            task_name=task_name,
            kwargs=kwargs,
            headers=headers,
            created_at=now,
            available_at=now + timedelta(seconds=max(0.0, countdown)),
        )
        if replaces is not None:
            OutboxMessage.objects.filter(pk=replaces, done_at__isnull=True).update(done_at=now)
    return message


def message_publish(message: OutboxMessage) -> None:
    """Hands one recorded message to the broker, its id as the task id; raises one of
    ``BROKER_ERRORS`` when the broker does not take it."""
    task: Any = current_app.tasks[message.task_name]  # the stubs know few of its options
    headers: dict[str, Any] = dict(message.headers)
    retries = int(headers.pop("retries", 0))
    with _publishing_connection() as connection:
        task.apply_async(
            kwargs=message.kwargs,
            task_id=str(message.id),
            # ``outbox`` tells the worker to check the row (done already? mark it done).
            headers={**headers, "outbox": True},
            retries=retries,
            retry=False,
            connection=connection,
        )


def error_summary(error: BaseException) -> str:
    """What is kept of a publishing error: its kind and a short text without credentials."""
    text = re.sub(r"//[^/@\s]*@", "//", str(error))
    return f"{type(error).__name__}: {text}"[:200]


# The broker as this process last saw it (market.core.outages): an outage is logged when it
# starts and then at most once a minute, never once per message; its end is logged once.
broker_outage = Outage()


def broker_failed(error: BaseException) -> None:
    """A publish failed: new rows are left to the relay for a while, and the outage logged."""
    failures = broker_outage.failed(pause=FAST_PATH_PAUSE_SECONDS)
    if failures is not None:
        logger.warning(
            "The task broker does not take messages (%s); tasks stay in the outbox and are "
            "published when it does (%d failed publishes so far).",
            error_summary(error),
            failures,
        )


def broker_recovered() -> None:
    """A publish went through: the end of an outage is logged once."""
    failures = broker_outage.recovered()
    if failures is not None:
        logger.warning(
            "The task broker takes messages again (after %d failed publishes).", failures
        )


def _headers() -> dict[str, Any]:
    request_id = current_request_id()
    return {"request_id": request_id} if request_id else {}


def _publish_after_commit(message: OutboxMessage) -> None:
    if broker_outage.pausing():
        return
    try:
        message_publish(message)
    except BROKER_ERRORS as error:
        broker_failed(error)
        _record(message, sent=False, error=error)
        return
    broker_recovered()
    _record(message, sent=True)


def _record(message: OutboxMessage, *, sent: bool, error: BaseException | None = None) -> None:
    # After the commit, outside the request's transaction: a failure here only means the relay
    # publishes the message again later, and the worker skips the second delivery.
    changes: dict[str, Any] = {"attempts": F("attempts") + 1}
    if sent:
        changes["sent_at"] = timezone.now()
    else:
        changes["last_error"] = error_summary(error) if error else ""
    try:
        OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(**changes)
    except DatabaseError:
        logger.exception("Outbox message %s: its publishing could not be recorded", message.pk)


_pools: dict[tuple[int, str], Any] = {}
_pools_lock = threading.Lock()


@contextmanager
def _publishing_connection() -> Iterator[Any]:
    """A broker connection from a pool of this process's own, made to fail fast: no connection
    retries and a short connect (and, on Redis, socket) timeout, so that a broker outage never
    holds a request. The app's own pool (beat, Celery's retries) keeps Celery's patient
    defaults."""
    # The real app even where tests stand in for its task registry (``current_app`` above).
    app: Any = celery.current_app._get_current_object()  # type: ignore[attr-defined]
    url = app.conf.broker_write_url or app.conf.broker_url
    key = (os.getpid(), str(url))
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            timeout = settings.OUTBOX_PUBLISH_TIMEOUT_SECONDS
            options: dict[str, Any] = {"max_retries": 0}
            if str(url).startswith(("redis", "rediss")):
                options.update(socket_connect_timeout=timeout, socket_timeout=timeout)
            connection = app.connection_for_write(
                connect_timeout=timeout, transport_options=options
            )
            pool = _pools[key] = connection.Pool(limit=app.conf.broker_pool_limit)
    connection = pool.acquire(block=True, timeout=settings.OUTBOX_PUBLISH_TIMEOUT_SECONDS)
    try:
        yield connection
    except BaseException:
        # Whatever state a failed publish left the connection in, the next one starts afresh.
        connection.collect()
        raise
    finally:
        connection.release()

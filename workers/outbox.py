"""The workers' side of the outbox (``market.core.tasks``, ``market.core.outbox``).

- ``OutboxTask``, every task's base class (``workers.app``): a message recorded in the outbox
  runs its task once (a second delivery finds it claimed or done), and a retry is recorded in
  the outbox with its due time instead of waiting in the broker.
- ``OutboxRelay``, a thread in each worker's main process and in beat (started and stopped by
  their signals in ``workers.app``): publishes the rows the commit could not, backing off while
  the broker is down. ``make run`` needs no process of its own for it.
- ``core.outbox_purge``, beat's nightly deletion of published rows.

Nothing here imports ``workers.app``: the app imports this module for its task class.
"""

from __future__ import annotations

import atexit
import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from celery import Task, shared_task
from celery.exceptions import Retry
from django.conf import settings

logger = logging.getLogger(__name__)

BROKER_BACKOFF_MAX_SECONDS = 30.0


class OutboxTask(Task):  # type: ignore[type-arg]
    """Every task's base class.

    A message published from the outbox carries the header ``outbox`` and the row's id as its
    task id. Before the task runs, the row is claimed (``outbox_message_start``); a delivery
    that finds it done is acknowledged without running the task, and so is one that finds it
    claimed by a run still within its hard time limit (the message is then published again when
    that limit has passed, in case that run died). After success the row is marked done.

    ``retry()`` (Celery's ``autoretry_for`` calls it too) records the retry in the outbox, due
    after its countdown and with the retry count in its headers (so ``max_retries`` holds), and
    ends this run: the message waits in the database, never in the broker, however long the
    backoff. Eager runs (tests, ``CELERY_TASK_ALWAYS_EAGER``) keep Celery's own behaviour.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        request = self.request
        if request.called_directly:
            return super().__call__(*args, **kwargs)
        # Below, Celery's tracer has put the request on the stack already: run the body as it
        # does for a task without a __call__ of its own (Task.__call__ would push a bare one).
        if request.is_eager:
            return self.run(*args, **kwargs)
        from market.core.outbox import outbox_message_done, outbox_message_start

        message_id = request.id if request.get("outbox") else None
        if message_id is not None and not outbox_message_start(
            message_id=message_id, lease_seconds=self._lease_seconds()
        ):
            logger.info(
                "%s[%s]: done already or being run by another worker; this delivery skipped",
                self.name,
                message_id,
            )
            return None
        result = self.run(*args, **kwargs)
        if message_id is not None:
            outbox_message_done(message_id=message_id)
        return result

    def retry(
        self,
        args: Any = None,
        kwargs: Any = None,
        exc: Exception | None = None,
        throw: bool = True,
        eta: datetime | None = None,
        countdown: float | None = None,
        max_retries: int | None = None,
        **options: Any,
    ) -> Retry:
        request = self.request
        if request.called_directly or request.is_eager:
            return super().retry(args, kwargs, exc, throw, eta, countdown, max_retries, **options)
        from django.utils import timezone

        from market.core.context import current_request_id
        from market.core.tasks import outbox_retry_enqueue

        if args or request.args:
            raise TypeError(f"{self.name}: tasks take keyword arguments only, to be retried")
        limit = self.max_retries if max_retries is None else max_retries
        if limit is not None and request.retries >= limit:
            if exc is not None:
                raise exc
            raise self.MaxRetriesExceededError(
                f"Can't retry {self.name}[{request.id}] args:{request.args} kwargs:{request.kwargs}"
            )
        if countdown is None:
            countdown = (
                (eta - timezone.now()).total_seconds()
                if eta is not None
                else float(self.default_retry_delay or 0)
            )
        outbox_retry_enqueue(
            task_name=self.name,
            kwargs=dict((request.kwargs if kwargs is None else kwargs) or {}),
            retries=request.retries + 1,
            countdown=countdown,
            request_id=request.get("request_id") or current_request_id(),
            replaces=request.id if request.get("outbox") else None,
        )
        # Celery acknowledges the message and reports the retry (task_retry), as for its own.
        signal = Retry(exc=exc, when=timezone.now() + timedelta(seconds=countdown))
        if throw:
            raise signal
        return signal

    def _lease_seconds(self) -> float:
        limit = self.time_limit or self.app.conf.task_time_limit
        return float(limit or settings.CELERY_BROKER_VISIBILITY_TIMEOUT)


class OutboxRelay(threading.Thread):
    """Publishes due outbox rows until stopped: at once again while a batch was full, every
    ``OUTBOX_RELAY_INTERVAL_SECONDS`` otherwise, and with a growing pause (1 s doubling to 30 s)
    while the broker does not take messages."""

    def __init__(self) -> None:
        super().__init__(name="outbox-relay", daemon=True)
        from market.core.outages import Outage  # not at import: market imports the app

        self._stopping = threading.Event()
        self._database_outage = Outage()

    def run(self) -> None:
        from django.db import DatabaseError, connection

        from market.core.outbox import outbox_relay_due
        from market.core.tasks import BROKER_ERRORS, broker_failed, broker_recovered

        batch = settings.OUTBOX_RELAY_BATCH
        backoff = 0.0
        while not self._stopping.is_set():
            try:
                published = outbox_relay_due(
                    limit=batch, grace_seconds=settings.OUTBOX_RELAY_GRACE_SECONDS
                )
            except BROKER_ERRORS as error:
                broker_failed(error)
                backoff = min(BROKER_BACKOFF_MAX_SECONDS, max(1.0, backoff * 2))
                pause = backoff
            except DatabaseError as error:
                if self._database_outage.failed() is not None:
                    logger.warning("The outbox relay cannot read the database (%s)", error)
                pause = 5.0
            except Exception:
                logger.exception("The outbox relay failed; it tries again")
                pause = 5.0
            else:
                self._database_outage.recovered()
                if published:
                    broker_recovered()
                backoff = 0.0
                pause = 0.0 if published >= batch else settings.OUTBOX_RELAY_INTERVAL_SECONDS
            finally:
                # As between requests: drop a broken connection, or one past its age.
                connection.close_if_unusable_or_obsolete()
            self._stopping.wait(pause)
        connection.close()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)


_relay: OutboxRelay | None = None
_relay_lock = threading.Lock()


def relay_start() -> None:
    """Starts this process's relay, once (a worker run with ``--beat`` signals twice)."""
    global _relay
    with _relay_lock:
        if _relay is not None and _relay.is_alive():
            return
        _relay = OutboxRelay()
        _relay.start()
    atexit.register(relay_stop)
    logger.info("Outbox relay started")


def relay_stop() -> None:
    global _relay
    with _relay_lock:
        relay, _relay = _relay, None
    if relay is not None:
        relay.stop()


@shared_task(name="core.outbox_purge")
def outbox_purge() -> int:
    from market.core.outbox import outbox_purge

    return outbox_purge(keep_days=settings.OUTBOX_KEEP_DAYS)


@shared_task(name="core.outbox_resend_unstarted")
def outbox_resend_unstarted() -> int:
    from market.core.outbox import outbox_resend_unstarted

    return outbox_resend_unstarted(older_than_seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)

"""The outbox's other halves: the relay that publishes what the commit could not, the worker's
check that runs each recorded message once, housekeeping, and the lag.

Rows are written by ``market.core.tasks`` (``enqueue_on_commit``, retries). Here:

- ``outbox_relay_due`` publishes unsent rows that are due, oldest first, in batches claimed with
  ``SELECT … FOR UPDATE SKIP LOCKED``: several relays (each worker and beat run one) share the
  rows without publishing one twice. Rows younger than ``OUTBOX_RELAY_GRACE_SECONDS`` are left
  to the publish that follows their commit.
- ``outbox_message_start`` / ``outbox_message_done``: a worker claims a message before running
  its task and marks it done after success, so a second delivery of the same message (published
  again after a crash between the publish and its record, or given back by the broker) does not
  run the task again while the first run may still be going, nor after it succeeded.
- ``outbox_resend_unstarted`` hands back to the relay messages published long ago that no
  worker ever began: lost inside the broker (a Redis restarted without persistence drops what
  it held). Publishing one again is safe: a copy that finds the message begun or done is
  dropped.
- ``outbox_purge`` deletes published rows after ``OUTBOX_KEEP_DAYS``.
- ``outbox_lag_seconds``: how long the oldest due message has waited to be published.
"""

from __future__ import annotations

import datetime as dt
import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Min, Q, QuerySet
from django.utils import timezone

from market.core.models import OutboxMessage
from market.core.tasks import BROKER_ERRORS, error_summary, message_publish

logger = logging.getLogger(__name__)

# A row that cannot be published for a reason other than the broker (its task no longer exists
# after a deploy, kwargs the serializer refuses) is tried again later, not at the head of every
# batch: 1, 2, 4 … minutes, at most an hour.
UNPUBLISHABLE_BACKOFF_MAX_SECONDS = 3600


def _waiting() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(sent_at__isnull=True, done_at__isnull=True)


def outbox_relay_due(*, limit: int, grace_seconds: float) -> int:
    """Publishes up to ``limit`` due, unsent messages, oldest first, and returns how many.

    When the broker refuses one, the ones published before it are recorded as sent and the
    broker's error is raised: the caller backs off.
    """
    now = timezone.now()
    due = _waiting().filter(
        available_at__lte=now, created_at__lte=now - timedelta(seconds=grace_seconds)
    )
    # Most of the time there is nothing to do: ask without taking a lock (or, on SQLite, the
    # database's write lock) first.
    if not due.exists():
        return 0
    published: list[object] = []
    failure: BaseException | None = None
    with transaction.atomic():
        for message in due.select_for_update(skip_locked=True).order_by("available_at")[:limit]:
            try:
                message_publish(message)
            except BROKER_ERRORS as error:
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=F("attempts") + 1, last_error=error_summary(error)
                )
                failure = error
                break
            except Exception as error:
                _set_aside(message, error)
                continue
            published.append(message.pk)
        if published:
            OutboxMessage.objects.filter(pk__in=published).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
    if failure is not None:
        raise failure
    return len(published)


def _set_aside(message: OutboxMessage, error: Exception) -> None:
    logger.exception(
        "Outbox message %s (%s) cannot be published; tried again later",
        message.pk,
        message.task_name,
    )
    delay = min(UNPUBLISHABLE_BACKOFF_MAX_SECONDS, 60 * 2 ** min(message.attempts, 6))
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=F("attempts") + 1,
        last_error=error_summary(error),
        available_at=timezone.now() + timedelta(seconds=delay),
    )


def outbox_message_start(*, message_id: str, lease_seconds: float) -> bool:
    """Claims a message for the task run that received it; False when this delivery must not
    run the task.

    A run holds the claim for ``lease_seconds`` (the task's hard time limit: a run still going
    after it has been killed). A delivery that finds the message done (or deleted) is dropped.
    One that finds it held by a run within its lease (the same message published twice, or
    given back by the broker when a worker process was killed) is dropped too, but the message
    is published again when the lease ends: if that run died, the next delivery takes over;
    if it finished, the next delivery finds it done.
    """
    now = timezone.now()
    lease = timedelta(seconds=lease_seconds)
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True)
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=now - lease))
        .update(started_at=now)
    )
    if claimed:
        return True
    OutboxMessage.objects.filter(
        pk=message_id, done_at__isnull=True, started_at__gte=now - lease
    ).update(sent_at=None, available_at=F("started_at") + lease)
    return False


def outbox_message_done(*, message_id: str) -> None:
    """The message's task succeeded: no later delivery of it runs the task again."""
    OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).update(done_at=timezone.now())


def outbox_resend_unstarted(*, older_than_seconds: float) -> int:
    """Marks unsent again the messages published more than ``older_than_seconds`` ago that no
    worker has begun, so that the relay publishes them once more; returns how many.

    Only never-begun messages: one a worker began and that failed is not run again by this
    (its retries are its own), and one begun by a worker that was killed comes back from the
    broker. A message still waiting behind a longer queue than ``older_than_seconds`` is
    published a second time and the later copy is dropped by the worker.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return OutboxMessage.objects.filter(
        sent_at__lt=cutoff, started_at__isnull=True, done_at__isnull=True
    ).update(sent_at=None)


def outbox_purge(*, keep_days: int, batch_size: int = 5000) -> int:
    """Deletes messages published (or done) more than ``keep_days`` ago, in batches so that no
    delete holds many rows at once. Returns how many."""
    cutoff = timezone.now() - timedelta(days=keep_days)
    old = OutboxMessage.objects.filter(Q(sent_at__lt=cutoff) | Q(done_at__lt=cutoff))
    deleted = 0
    while True:
        ids = list(old.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        deleted += OutboxMessage.objects.filter(pk__in=ids).delete()[0]


def outbox_lag_seconds() -> float:
    """How long the oldest message that is due and not yet published has waited, in seconds
    (0 when none waits). Grows while the broker is down or no relay runs."""
    now = timezone.now()
    oldest: dt.datetime | None = (
        _waiting().filter(available_at__lte=now).aggregate(oldest=Min("available_at"))["oldest"]
    )
    if oldest is None:
        return 0.0
    return max(0.0, (now - oldest).total_seconds())

"""The Celery set-up the money flows rely on: late acknowledgement, re-delivery only of tasks
that are safe to run twice, retries that wait, and messages sent only after commit."""

import re
from pathlib import Path

from django.conf import settings

from workers.app import app
from workers.outbox import OutboxTask

ROOT = Path(__file__).resolve().parents[3]
NOT_IDEMPOTENT = {"core.send_email"}  # a sent e-mail cannot be taken back
# An image that killed its worker (its memory) must not be handed to the next one; a listing
# without a thumbnail shows the image itself.
NOT_REDELIVERED = NOT_IDEMPOTENT | {"catalog.generate_product_thumbnail"}


def our_tasks():
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_tasks_are_acknowledged_late_and_rejected_when_their_worker_is_lost():
    assert (
        settings.CELERY_TASK_ACKS_LATE,
        settings.CELERY_TASK_REJECT_ON_WORKER_LOST,
        settings.CELERY_WORKER_PREFETCH_MULTIPLIER,
    ) == (True, True, 1)
    assert all(task.acks_late for task in our_tasks().values())


def test_only_tasks_safe_to_run_twice_are_redelivered_after_a_lost_worker():
    redelivered = {
        name for name, task in our_tasks().items() if task.reject_on_worker_lost is not False
    }

    assert redelivered == set(our_tasks()) - NOT_REDELIVERED


def test_automatic_retries_back_off_with_jitter():
    retrying = {
        name: task for name, task in our_tasks().items() if getattr(task, "autoretry_for", ())
    }

    assert retrying
    assert all(task.retry_backoff and task.retry_jitter for task in retrying.values())


def test_retries_wait_in_the_outbox_not_in_the_broker():
    # A message waiting on Redis longer than the visibility timeout is handed to a second worker
    # as if the first had died: every task retries through the outbox (workers/outbox.py).
    assert all(isinstance(task, OutboxTask) for task in our_tasks().values())


def test_tasks_are_sent_only_through_enqueue_on_commit():
    direct = re.compile(r"\.(delay|apply_async|send_task)\(")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("market", "workers")
        for path in (ROOT / folder).rglob("*.py")
        if direct.search(path.read_text()) and path != ROOT / "market/core/tasks.py"
    ]

    assert offenders == []


def test_every_periodic_job_names_a_task_a_worker_knows():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled - set(our_tasks()) == set()
    assert {
        "payouts.sweep",
        "payments.sweep_stripe_events",
        "accounts.purge_refresh_tokens",
    } <= scheduled

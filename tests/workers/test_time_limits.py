"""The rule that lets a killed worker's tasks resume within a minute without ever handing a live
task to a second worker: every run ends before the broker's visibility timeout."""

from django.conf import settings

from market.catalog.imports import claim_expires_after
from tests.conftest import service_required
from workers.app import app


def our_tasks():
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_is_killed_before_the_broker_hands_its_message_to_another_worker():
    visibility = settings.CELERY_BROKER_VISIBILITY_TIMEOUT
    hard_limits = {
        name: task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        for name, task in our_tasks().items()
    }

    assert {name: limit for name, limit in hard_limits.items() if not limit < visibility} == {}
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT


def test_the_redis_broker_is_given_the_visibility_timeout():
    # The embedded file-system broker has no visibility timeout.
    service_required(bool(settings.REDIS_URL), "needs Redis as the broker: set REDIS_URL")
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["visibility_timeout"] == settings.CELERY_BROKER_VISIBILITY_TIMEOUT
    # Looked for often enough that a dead worker's message waits little past the timeout.
    assert options["unacked_restore_interval"] * options["unacked_restore_throttle"] <= 10


def test_an_import_waiting_for_a_dead_run_comes_back_before_the_visibility_timeout():
    # Its retry waits until the dead run's claim expires; a longer wait on Redis would have the
    # retry's message handed to a second worker as if the first had died.
    assert claim_expires_after().total_seconds() + 1 < settings.CELERY_BROKER_VISIBILITY_TIMEOUT

"""The Celery application: configuration comes from Django settings (``CELERY_*``).

Run a worker with ``celery -A workers.app worker``; beat with ``celery -A workers.app beat``.
Each of them also runs the outbox relay (``workers.outbox``), which publishes the tasks that
could not be published when their transaction committed.
"""

import os
from typing import Any

from celery import Celery
from celery.signals import (
    beat_init,
    task_postrun,
    task_prerun,
    worker_init,
    worker_ready,
    worker_shutdown,
)

from workers.outbox import OutboxTask, relay_start, relay_stop

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market.settings")

# Every task runs a message from the outbox once and retries through the outbox.
app = Celery("market", task_cls=OutboxTask)
app.config_from_object("django.conf:settings", namespace="CELERY")


@task_prerun.connect
@task_postrun.connect
def _database_connections_as_for_a_request(sender: Any = None, **kwargs: Any) -> None:
    # What Django does around each request: drop connections past DATABASE_CONN_MAX_AGE or
    # broken, and health-check the kept ones before their next use (CELERY_DB_REUSE_MAX). Not
    # for a task run eagerly, inside the caller's transaction (as Celery's fix-up does).
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@worker_init.connect
@beat_init.connect
def _refuse_unsafe_production(sender: Any = None, **kwargs: Any) -> None:
    # As the WSGI application does: with DEBUG off, no worker runs on demo secrets.
    from django.core.exceptions import ImproperlyConfigured

    from market.core.checks import refuse_unsafe_production

    try:
        refuse_unsafe_production()
    except ImproperlyConfigured as error:
        # Celery logs and swallows what a signal's receiver raises: only leaving stops it.
        raise SystemExit(f"ImproperlyConfigured: {error}") from error


@worker_ready.connect
@beat_init.connect
def _start_outbox_relay(sender: Any = None, **kwargs: Any) -> None:
    # In the worker's main process (not the pool's children) and in beat: one relay per
    # process, however many of these signals it receives (a worker run with --beat).
    relay_start()


@worker_shutdown.connect
def _stop_outbox_relay(sender: Any = None, **kwargs: Any) -> None:
    relay_stop()


@app.on_after_configure.connect
def _make_broker_folders(sender: Celery, **kwargs: Any) -> None:
    # The embedded file-system broker needs its folder before the first message.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


# Task modules register themselves on import; listed here so that every process that loads the
# app (API, worker, tests) knows every task by name.
import workers.accounts  # noqa: E402,F401
import workers.catalog  # noqa: E402,F401
import workers.catalog_imports  # noqa: E402,F401
import workers.checkout  # noqa: E402,F401
import workers.emails  # noqa: E402,F401
import workers.fulfilment  # noqa: E402,F401
import workers.payments  # noqa: E402,F401
import workers.payouts  # noqa: E402,F401
import workers.rates  # noqa: E402,F401

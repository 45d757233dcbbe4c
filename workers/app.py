"""The Celery application: configuration comes from Django settings (``CELERY_*``).

Run a worker with ``celery -A workers.app worker``; beat with ``celery -A workers.app beat``.
Each of them also runs the outbox relay (``workers.outbox``), which publishes the tasks that
could not be published when their transaction committed.
"""

import logging.config
import os
import time
from contextvars import Token
from typing import Any

from celery import Celery
from celery.signals import (
    beat_init,
    before_task_publish,
    setup_logging,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
    worker_init,
    worker_process_shutdown,
    worker_ready,
    worker_shutdown,
)
from celery.utils.log import get_multiprocessing_logger

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


@setup_logging.connect
def _log_as_the_api_does(loglevel: int | str | None = None, **kwargs: Any) -> None:
    # Settings' LOGGING (LOG_FORMAT: JSON lines with the request id), not Celery's own format;
    # the command line's --loglevel still decides the level.
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    root = logging.getLogger()
    if loglevel:
        root.setLevel(loglevel)
    # The pool's own logger does not propagate: the same handlers, its errors only (a child
    # that died), as Celery sets it.
    pool_logger = get_multiprocessing_logger()
    if pool_logger is not None:
        pool_logger.handlers = list(root.handlers)
        pool_logger.setLevel(logging.ERROR)


@before_task_publish.connect
def _request_id_into_the_message(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    # The outbox sends the id it stored; a task sent directly takes the current one.
    from market.core.context import current_request_id

    if headers is not None and not headers.get("request_id"):
        request_id = current_request_id()
        if request_id:
            headers["request_id"] = request_id


# Per task id, what the task's end undoes: the request id it set, and when it started.
_running: dict[str, tuple[Token[str | None], float]] = {}


@task_prerun.connect
def _task_started(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    # Every log line of the task carries the id of the request that caused it (a periodic job
    # gets an id of its own). A task run eagerly keeps its caller's.
    from market.core.context import new_request_id, request_id_set

    if task is None or task.request.is_eager:
        return
    request_id = task.request.get("request_id") or new_request_id()
    _running[task_id] = (request_id_set(request_id), time.perf_counter())


@task_postrun.connect
def _task_ended(
    task_id: str = "", task: Any = None, state: str | None = None, **kwargs: Any
) -> None:
    from market.core.context import request_id_reset
    from market.core.metrics import TASK_SECONDS

    started = _running.pop(task_id, None)
    if started is None or task is None:
        return
    token, at = started
    TASK_SECONDS.labels(task.name, (state or "unknown").lower()).observe(time.perf_counter() - at)
    request_id_reset(token)


@task_failure.connect
def _task_failed(sender: Any = None, **kwargs: Any) -> None:
    from market.core.metrics import TASK_FAILURES

    if sender is not None:
        TASK_FAILURES.labels(sender.name).inc()


@task_retry.connect
def _task_retried(sender: Any = None, **kwargs: Any) -> None:
    from market.core.metrics import TASK_RETRIES

    if sender is not None:
        TASK_RETRIES.labels(sender.name).inc()


@worker_process_shutdown.connect
def _metrics_of_a_child_that_left(pid: int | None = None, **kwargs: Any) -> None:
    from market.core.metrics import multiprocess_process_exited

    multiprocess_process_exited(pid or os.getpid())


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


@worker_init.connect
def _metrics_folder_ready(sender: Any = None, **kwargs: Any) -> None:
    # After the refusal above: a worker that may not start leaves nothing behind.
    from market.core.metrics import multiprocess_dir_prepare

    multiprocess_dir_prepare()


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

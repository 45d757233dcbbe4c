"""A real ``celery worker`` process for the worker tests of one module at a time.

There is never more than one (a second would take other tests' tasks), and it stops when its
module ends, so later tests that only enqueue never have their messages taken by a worker.
Tests that need it ask for the ``celery_worker_process`` fixture.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def _database_url(settings_dict) -> str:
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return (
        f"postgres://{auth}{settings_dict.get('HOST') or '127.0.0.1'}:"
        f"{settings_dict.get('PORT') or 5432}/{settings_dict['NAME']}"
    )


def start_worker(
    *,
    media_root: Path,
    log,
    pool: tuple[str, ...] = ("--pool=solo",),
    env: dict[str, str] | None = None,
    args: tuple[str, ...] | list[str] = (),
    own_process_group: bool = False,
) -> subprocess.Popen:
    """A ``celery worker`` on the configured broker and the test database, its output in
    ``log``; ``env`` overrides the environment (another broker, shorter outbox intervals),
    ``args`` adds to the command line (``--include`` a module of test tasks), and
    ``own_process_group`` lets a test kill it with all its children at once."""
    from django.db import connection

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers.app",
            "worker",
            *pool,
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *args,
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": _database_url(connection.settings_dict),
            "MEDIA_ROOT": str(media_root),
            "DATABASE_CONN_MAX_AGE": "0",
            **(env or {}),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=own_process_group,
    )
    process.media_root = media_root
    process.log = log
    return process


def worker_log_file(tmp_path_factory):
    return open(tmp_path_factory.mktemp("worker-log") / "worker.log", "w+b")  # noqa: SIM115


def stop_worker(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log.close()


@pytest.fixture(scope="module")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real ``celery worker`` process on the configured broker, using the test database."""
    if os.environ.get("CI") and not settings.REDIS_URL:
        pytest.fail("worker tests in CI run on Redis: set REDIS_URL")
    # Messages left by earlier tests (tasks queued after their commits) would reach this worker
    # before the test's own; start from an empty queue.
    from workers.app import app

    app.control.purge()
    metrics_dir = tmp_path_factory.mktemp("worker-metrics")
    # Its log lines as production writes them (one JSON object each), and its metrics in files
    # the tests read (market.core.metrics).
    process = start_worker(
        media_root=tmp_path_factory.mktemp("worker-media"),
        log=worker_log_file(tmp_path_factory),
        env={"LOG_FORMAT": "json", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)},
    )
    process.metrics_dir = metrics_dir
    yield process
    stop_worker(process)


def worker_log(process, *, whole: bool = False) -> str:
    """The worker's output: its last 4,000 characters, or all of it with ``whole``."""
    process.log.flush()
    process.log.seek(0)
    text = process.log.read().decode(errors="replace")
    return text if whole else text[-4000:]


def publish_to(monkeypatch, url: str) -> None:
    """Tasks published by this process (the API's side of the test) go to the broker at
    ``url`` for the rest of the test; the outbox starts with no outage remembered."""
    import market.core.tasks
    from market.core.outages import Outage
    from workers.app import app

    monkeypatch.setattr(app.conf, "broker_url", url)
    monkeypatch.setattr(market.core.tasks, "broker_outage", Outage())


def wait_until_workers_are_idle(seconds: float = 15.0) -> None:
    """Waits (at most ``seconds``) until no task recorded in the outbox is waiting or running:
    a task still running when the test's database is flushed can deadlock the flush."""
    import datetime as dt
    import time

    from django.db.models import Q
    from django.utils import timezone

    from market.core.models import OutboxMessage

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        recent = timezone.now() - dt.timedelta(seconds=5)
        busy = OutboxMessage.objects.filter(done_at__isnull=True).filter(
            Q(started_at__isnull=True) | Q(started_at__gt=recent)
        )
        if not busy.exists():
            return
        time.sleep(0.2)

import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings

from tests.stripe_server.fixtures import _stripe_server_process, stripe_server  # noqa: F401
from tests.workers.conftest import ROOT, _database_url


@pytest.fixture
def enqueued(monkeypatch):
    """Tasks sent to the broker during the test, as (task name, kwargs), instead of sending."""
    from celery import current_app

    sent = []
    for name in ("payments.process_stripe_event",):
        task = current_app.tasks[name]
        monkeypatch.setattr(task, "apply_async",
                            lambda args=None, kwargs=None, _name=name, **options:
                            sent.append((_name, kwargs)))
    return sent


@pytest.fixture(scope="module")
def payments_worker(django_db_setup, tmp_path_factory):
    """A real ``celery worker`` on the test database for one module, stopped after it.

    Module-scoped rather than sharing tests/workers' session worker (a fixture defined in
    another folder's conftest), so that no second worker keeps consuming other tests' tasks.
    """
    if os.environ.get("CI") and not settings.REDIS_URL:
        pytest.fail("worker tests in CI run on Redis: set REDIS_URL")
    from django.db import connection

    env = {**os.environ, "DATABASE_URL": _database_url(connection.settings_dict),
           "DATABASE_CONN_MAX_AGE": "0"}
    log = open(tmp_path_factory.mktemp("payments-worker") / "worker.log", "w+b")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "--pool=solo",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    process.log = log
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()

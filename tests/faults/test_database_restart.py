"""PostgreSQL restarted (``pg_ctl restart -m fast``) or stopped for a few seconds under running
API processes and a Celery worker that keep their connections (``DATABASE_CONN_MAX_AGE``):
nobody restarts them, and once the database is back every request and every task works again.
During the outage a request is a clean error (503 ``service_unavailable`` from the API, the
plain error page from the storefront), a task fails and is logged, and the worker lives on.

Everything runs against servers of the test's own: a private PostgreSQL cluster (initdb into a
temporary folder, run as the ``postgres`` OS user), a private Redis (broker and cache), gunicorn
with the repository's ``gunicorn.conf.py`` and ``celery worker`` (prefork), both with production
settings (DEBUG off, collected static files).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from celery import Celery

from tests.conftest import service_required
from tests.servers import (
    PostgresServer,
    RedisServer,
    _port_open,
    free_port,
    postgres_binaries,
)

pytestmark = [pytest.mark.worker, pytest.mark.timeout(280)]

ROOT = Path(__file__).resolve().parents[2]
CURRENCIES = "{ currencies { code } }"
REGISTER = """mutation($email: String!) {
  accountRegister(input: {email: $email, password: "a long enough passphrase"}) {
    user { email } errors { code } } }"""
SECRET_TEXTS = ("Connection refused", "terminating", "server closed", "psycopg", "Traceback")


class Stack:
    """The private servers and the processes under test, with their settings."""

    def __init__(self, folder: Path) -> None:
        try:
            self._start(folder)
        except BaseException:
            self.close()
            raise

    def _start(self, folder: Path) -> None:
        self.folder = folder
        self.postgres = PostgresServer()
        self.redis = RedisServer(folder)
        with psycopg.connect(self.postgres.url, autocommit=True) as admin:
            admin.execute("CREATE DATABASE market")
        self.env = {
            **os.environ,
            "DATABASE_URL": self.postgres.database_url("market"),
            "DATABASE_CONN_MAX_AGE": "600",
            "REDIS_URL": self.redis.url,
            "MARKET_VAR_DIR": str(folder / "var"),
            "STATIC_ROOT": str(folder / "static"),
            "DJANGO_SETTINGS_MODULE": "market.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "STRIPE_SECRET_KEY": "sk_live_fault_test_not_a_key",
            "STRIPE_WEBHOOK_SECRET": "whsec_fault_test_not_a_secret",
            "PAYMENT_ALLOW_TEST_PAYMENTS": "true",
            "CELERY_BROKER_URL": self.redis.url,
        }
        self.env.pop("CI", None)
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=ROOT,
                env=self.env,
                check=True,
                capture_output=True,
            )
        self.port = free_port()
        self.api_log = open(folder / "gunicorn.log", "w+b")  # noqa: SIM115
        self.api = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--no-control-socket",
            ],
            cwd=ROOT, env=self.env, stdout=self.api_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.worker_log = open(folder / "worker.log", "w+b")  # noqa: SIM115
        self.worker = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "workers.app", "worker",
                "--pool=prefork", "--concurrency=1", "--loglevel=INFO",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ],
            cwd=ROOT, env=self.env, stdout=self.worker_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.sender = Celery(broker=self.redis.url)
        deadline = time.monotonic() + 60
        while not _port_open(self.port) or b"ready." not in self._read(self.worker_log):
            assert time.monotonic() < deadline, self.logs()
            assert self.api.poll() is None and self.worker.poll() is None, self.logs()
            time.sleep(0.2)

    # --- the API ---------------------------------------------------------------------------

    def request(self, path: str, body: dict | None = None) -> tuple[int, str]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            headers={"Content-Type": "application/json"} if data else {},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def graphql(self, query: str, variables: dict | None = None) -> tuple[int, dict]:
        status, text = self.request("/graphql/", {"query": query, "variables": variables or {}})
        for secret in SECRET_TEXTS:
            assert secret not in text, text
        return status, json.loads(text)

    def app_connections(self) -> int:
        with psycopg.connect(self.postgres.url, autocommit=True) as admin:
            return admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = 'market'"
            ).fetchone()[0]

    # --- the worker ------------------------------------------------------------------------

    def run_task(self, name: str, timeout: float = 30) -> str:
        """Sends ``name`` to the worker and waits for its outcome in the worker's log:
        "succeeded" or "raised"."""
        task_id = str(uuid.uuid4())
        self.sender.send_task(name, task_id=task_id)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self._read(self.worker_log).decode(errors="replace").splitlines():
                if task_id in line and ("succeeded" in line or "raised" in line):
                    return "succeeded" if "succeeded" in line else "raised"
            time.sleep(0.2)
        raise AssertionError(f"task {name} gave no outcome:\n{self.logs()}")

    # --- both ------------------------------------------------------------------------------

    @staticmethod
    def _read(log) -> bytes:
        log.flush()
        log.seek(0)
        return log.read()

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}\n" + self._read(log).decode(errors="replace")[-3000:]
            for name, log in (("gunicorn", self.api_log), ("worker", self.worker_log))
        )

    def close(self) -> None:
        """Stops whatever was started, also after a start that failed half-way."""
        processes = [getattr(self, name, None) for name in ("api", "worker")]
        for process in processes:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            if process is None:
                continue
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for name in ("api_log", "worker_log"):
            if getattr(self, name, None) is not None:
                getattr(self, name).close()
        if getattr(self, "redis", None) is not None:
            self.redis.stop()
        if getattr(self, "postgres", None) is not None:
            self.postgres.remove()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    service_required(
        postgres_binaries() is not None, "needs PostgreSQL's server binaries (initdb, pg_ctl)"
    )
    folder = tmp_path_factory.mktemp("faults-stack")
    built = Stack(folder)
    yield built
    built.close()


def test_api_processes_answer_again_after_a_database_restart_without_being_restarted(stack):
    for _ in range(6):  # the gunicorn workers that answer keep their connections
        assert stack.graphql(CURRENCIES)[0] == 200
        assert stack.request("/products/")[0] == 200
    assert stack.app_connections() >= 1

    stack.postgres.restart()

    answers = [stack.graphql(CURRENCIES)[0] for _ in range(10)]
    pages = [stack.request("/products/")[0] for _ in range(4)]
    status, body = stack.graphql(REGISTER, {"email": f"{uuid.uuid4().hex}@example.com"})
    assert answers == [200] * 10, stack.logs()
    assert pages == [200] * 4, stack.logs()
    assert (status, body["data"]["accountRegister"]["errors"]) == (200, [])
    assert stack.api.poll() is None


def test_while_the_database_is_down_requests_are_clean_errors_and_all_recover(stack):
    assert stack.graphql(CURRENCIES)[0] == 200
    stack.postgres.stop()
    try:
        status, body = stack.graphql(CURRENCIES)
        page_status, page = stack.request("/products/")
    finally:
        stack.postgres.start()

    assert status == 503
    assert [e["extensions"]["code"] for e in body["errors"]] == ["service_unavailable"]
    assert page_status == 500 and "Something went wrong on our side" in page
    assert not any(secret in page for secret in SECRET_TEXTS)
    assert stack.request("/healthz")[0] == 200
    assert [stack.graphql(CURRENCIES)[0] for _ in range(6)] == [200] * 6
    assert stack.request("/readyz")[0] == 200


def test_the_worker_lives_through_a_database_outage_and_runs_tasks_after_it(stack):
    assert stack.run_task("accounts.purge_refresh_tokens") == "succeeded"

    stack.postgres.stop()
    try:
        during = stack.run_task("accounts.purge_refresh_tokens")
        time.sleep(2)  # the database stays down a moment, the worker idle
        assert stack.worker.poll() is None, stack.logs()
    finally:
        stack.postgres.start()
    after_start = [stack.run_task("accounts.purge_refresh_tokens") for _ in range(3)]
    stack.postgres.restart()
    after_restart = [stack.run_task("accounts.purge_refresh_tokens") for _ in range(3)]

    assert during == "raised"
    assert after_start == ["succeeded"] * 3, stack.logs()
    assert after_restart == ["succeeded"] * 3, stack.logs()
    assert stack.worker.poll() is None

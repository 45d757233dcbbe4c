"""RabbitMQ as the broker: the same code, queues and acknowledgements as on Redis.

A real ``celery worker`` process runs with ``CELERY_BROKER_URL=amqp://…`` (the broker named by
``MARKET_TEST_RABBITMQ_URL``, default the local server's guest account); the test sends tasks
through RabbitMQ and watches their work land in the database and on the local Stripe server.
Locally the tests are skipped without RabbitMQ; in CI they fail.
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection
from kombu import Connection

from market.payouts.models import Payout
from tests.celery_worker import ROOT, _database_url
from tests.conftest import service_required
from tests.factories import paid_part
from tests.payouts.worker.helpers import delivered, ready_stripe_account
from workers.app import app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RABBITMQ_URL = os.environ.get("MARKET_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


def _reachable(url: str) -> bool:
    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:
        return False


@pytest.fixture
def rabbitmq(db):
    service_required(_reachable(RABBITMQ_URL), f"needs RabbitMQ at {RABBITMQ_URL}")
    with Connection(RABBITMQ_URL) as conn:
        # Messages left by an earlier run would reach this test's worker first.
        app.control.purge(connection=conn)
        yield conn


class RabbitWorker:
    """A ``celery worker`` on RabbitMQ with the test database and the local Stripe server."""

    def __init__(self, tmp_path, stripe_server):
        self.log_path = tmp_path / "worker.log"
        self._log = self.log_path.open("w+b")
        env = {
            **os.environ,
            "CELERY_BROKER_URL": RABBITMQ_URL,
            "DATABASE_URL": _database_url(connection.settings_dict),
            "DATABASE_CONN_MAX_AGE": "0",
            "STRIPE_API_BASE": stripe_server.url,
            "STRIPE_SECRET_KEY": stripe_server.state.api_key,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "--pool=solo"]
            + ["--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@pytest.fixture
def rabbit_worker(rabbitmq, tmp_path, stripe_server):
    worker = RabbitWorker(tmp_path, stripe_server)
    yield worker
    worker.stop()


def test_the_broker_settings_name_no_redis_option_for_rabbitmq():
    # What settings.py gives an amqp:// broker (the visibility timeout is Redis's alone).
    code = (
        "from django.conf import settings; "
        "print(settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS)"
    )
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "market.settings",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "CELERY_BROKER_URL": RABBITMQ_URL,
        },
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    assert out == f"{RABBITMQ_URL} {{}}"


def test_a_worker_on_rabbitmq_pays_a_due_payout_through_the_payouts_queue(
    rabbit_worker, rabbitmq, stripe_server
):
    # given a seller in Germany with a ready Stripe account and a part delivered 15 days ago
    part = delivered(paid_part(country="DE"), days_ago=15)
    account = ready_stripe_account(part.seller, stripe_server)

    # when beat's nightly job is sent through RabbitMQ (routed to the "payouts" queue); it
    # creates the payout, whose payouts.execute travels the same way
    routed = app.amqp.router.route({}, "payouts.create_due")["queue"].name
    app.tasks["payouts.create_due"].apply_async(connection=rabbitmq)

    # then the worker pays it: one payout paid, one transfer on Stripe for it
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Payout.objects.filter(status="paid").exists():
        time.sleep(0.2)
    assert routed == "payouts"
    assert list(Payout.objects.values_list("seller_id", "status")) == [(part.seller_id, "paid")], (
        rabbit_worker.log()
    )
    payout = Payout.objects.get()
    assert [(t["id"], t["destination"], t["amount"]) for t in stripe_server.transfers.values()] == [
        (payout.stripe_transfer_id, account.stripe_account_id, int(payout.transfer_amount * 100))
    ]

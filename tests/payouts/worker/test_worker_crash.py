"""THE crash test: a real worker killed between the Stripe call and the database update, then
restarted — exactly one transfer, and the payout paid.

This module starts its own short-lived worker rather than the shared one (which must stay up
for the other tests): it consumes a queue of its own, so neither worker takes the other's
tasks, and the queue is purged when the test ends.
"""

import functools
import os
import signal
import subprocess
import sys
import time

import pytest
from celery import current_app
from django.db import connection

from market.payouts.models import Payout
from market.payouts.paying import payouts_create_due, payouts_sweep
from tests.celery_worker import ROOT, _database_url
from tests.factories import paid_part
from tests.payouts.worker.helpers import delivered, ready_stripe_account

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

QUEUE = "payouts-crash-test"
TRANSFERS = "/v1/transfers"


def _wait_for(condition, *, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def crash_worker(stripe_server, settings, monkeypatch, tmp_path):
    """Start (and restart) a real ``celery worker`` on a queue of its own that payout tasks are
    sent to; every worker started is stopped and the queue purged at the end."""
    settings.PAYOUT_SWEEP_AFTER_SECONDS = 1
    task = current_app.tasks["payouts.execute"]
    monkeypatch.setattr(task, "apply_async", functools.partial(task.apply_async, queue=QUEUE))
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "DATABASE_CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STRIPE_API_BASE": stripe_server.url,
        "STRIPE_SECRET_KEY": settings.STRIPE_SECRET_KEY,
        "PAYOUT_SWEEP_AFTER_SECONDS": "1",
    }
    started = []

    def start():
        log = open(tmp_path / f"worker-{len(started)}.log", "w+b")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "workers.app",
                "worker",
                "--pool=solo",
                "-Q",
                QUEUE,
                "-n",
                f"payouts-crash-{len(started)}@%h",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log = log
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.log.close()
    with current_app.connection_for_write() as conn:
        try:
            conn.default_channel.queue_purge(QUEUE)
        except Exception:  # noqa: BLE001 - a queue never declared has nothing to purge
            pass


def _logs(tmp_path) -> str:
    return "\n".join(
        path.read_text(errors="replace")[-3000:] for path in sorted(tmp_path.glob("worker-*.log"))
    )


def test_a_worker_killed_between_the_transfer_and_the_database_update_pays_once(
    stripe_server, crash_worker, tmp_path
):
    # given a due Stripe payout, and Stripe slow to answer the transfer it makes at once
    part = delivered(paid_part(country="DE"), days_ago=15)
    ready_stripe_account(part.seller, stripe_server)
    stripe_server.delay_next_response(TRANSFERS, 30)
    first = crash_worker()
    payouts_create_due()
    payout = Payout.objects.get()

    # when the worker is killed after Stripe made the transfer, before it was written down
    assert _wait_for(lambda: len(stripe_server.transfers) == 1), _logs(tmp_path)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    payout.refresh_from_db()
    assert (payout.status, payout.stripe_transfer_id) == ("processing", None)

    # and a new worker starts while the sweeper re-queues what was left behind
    crash_worker()
    assert _wait_for(lambda: payouts_sweep() == [payout.pk], timeout=30)

    # then the payout is paid with the one transfer Stripe made
    # (generous: the replayed call waits for the first, delayed answer on a busy machine)
    assert _wait_for(lambda: Payout.objects.get().status == "paid", timeout=150), _logs(tmp_path)
    (transfer,) = stripe_server.transfers.values()
    payout.refresh_from_db()
    assert (payout.stripe_transfer_id, payout.attempts) == (transfer["id"], 2)
    assert [call.replayed for call in stripe_server.calls_to("POST", TRANSFERS)] == [False, True]

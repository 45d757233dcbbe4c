"""End to end with a real worker: a refund asked for is sent to Stripe by ``payments.send_refund``
after the commit, once, however often its task is delivered."""

import os
import time

import pytest
from celery import current_app

from market.ledger.models import LedgerEntry
from market.payments.models import Refund
from tests.celery_worker import worker_log
from tests.factories import card_paid_part
from tests.payments.refunds.helpers import refund_asked

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REFUNDS = "/v1/refunds"


@pytest.fixture(scope="module", autouse=True)
def _worker_talks_to_the_local_stripe_server(_stripe_server_process):
    # Before the module's worker starts: it reads its settings from the environment.
    before = os.environ.get("STRIPE_API_BASE")
    os.environ["STRIPE_API_BASE"] = _stripe_server_process.url
    yield
    if before is None:
        del os.environ["STRIPE_API_BASE"]
    else:
        os.environ["STRIPE_API_BASE"] = before


def _sent_tasks_done(process) -> int:
    return worker_log(process).count("Task payments.send_refund[")


def test_a_real_worker_sends_a_refund_once_though_its_task_is_delivered_twice(
    celery_worker_process, stripe_gateway
):
    part = card_paid_part(card="pm_card_visa")

    # when a refund is asked for (its task queued on commit) and its message arrives twice
    made = refund_asked(part, key="worker-1")
    current_app.tasks["payments.send_refund"].apply_async(kwargs={"refund_id": made.pk})

    # then the worker sends it once, and it succeeds once
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _sent_tasks_done(celery_worker_process) < 4:
        time.sleep(0.2)  # "received" and "succeeded" for each of the two messages
    log = worker_log(celery_worker_process)
    made.refresh_from_db()
    assert (made.status, made.attempts) == ("succeeded", 1), log
    [call] = stripe_gateway.calls_to("POST", REFUNDS)
    assert call.idempotency_key == f"refund-{made.pk}"
    assert Refund.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="refund").count() == 2

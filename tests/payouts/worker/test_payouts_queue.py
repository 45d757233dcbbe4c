"""Payout tasks travel on a queue of their own (production serves it with a threaded worker),
and a worker started without ``-Q`` still consumes it."""

import time

import pytest
from celery import current_app

from market.payouts.models import Payout, PayoutEvent
from market.payouts.paying import payouts_create_due
from tests.celery_worker import worker_log
from tests.factories import paid_part
from tests.payouts.worker.helpers import delivered, verified_bank_account

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "task", ["payouts.execute", "payouts.create_due", "payouts.sweep", "payouts.bank_batch"]
)
def test_payout_tasks_are_sent_to_the_payouts_queue(task):
    assert current_app.amqp.router.route({}, task)["queue"].name == "payouts"


def test_other_tasks_stay_on_the_default_queue():
    assert current_app.amqp.router.route({}, "payments.process_stripe_event")["queue"].name == (
        "celery"
    )


def test_a_worker_started_without_a_queue_option_pays_a_due_payout(celery_worker_process):
    # given a seller paid by bank whose delivered part's hold period has ended
    part = delivered(paid_part(), days_ago=15)
    verified_bank_account(part.seller)

    # when the payout is created (its task is queued on "payouts" when the row commits)
    (payout,) = payouts_create_due().created

    # then the shared worker, started with no -Q, approves it for the bank's next file
    deadline = time.monotonic() + 60
    while (
        time.monotonic() < deadline
        and not PayoutEvent.objects.filter(
            payout=payout, note="approved for the bank batch"
        ).exists()
    ):
        time.sleep(0.2)
    assert Payout.objects.get().status == "processing", worker_log(celery_worker_process)
    assert (
        PayoutEvent.objects.filter(payout=payout, note="approved for the bank batch").count() == 1
    )

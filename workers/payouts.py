from celery import Task

from workers.app import app
from workers.retry import backoff_seconds

# Services are imported inside tasks: this module is loaded with the Celery app, before
# Django's models are ready. Every task here is safe to run twice: payouts are claimed by
# compare-and-set and Stripe transfers carry the payout's idempotency key.


@app.task(name="payouts.create_due", acks_late=True)
def create_due() -> None:
    from market.payouts.paying import payouts_create_due

    payouts_create_due()


@app.task(name="payouts.execute", bind=True, acks_late=True, max_retries=None)
def execute(self: "Task[..., None]", *, payout_id: int) -> None:
    from market.payouts.paying import payout_execute
    from market.payouts.routes import PayoutRetryable

    try:
        payout_execute(payout_id=payout_id)
    except PayoutRetryable as error:
        # The service counts attempts and fails the payout after PAYOUT_MAX_ATTEMPTS.
        raise self.retry(exc=error, countdown=backoff_seconds(self.request.retries)) from error


@app.task(name="payouts.sweep", acks_late=True)
def sweep() -> None:
    from market.payouts.paying import payouts_sweep

    payouts_sweep()


@app.task(name="payouts.bank_batch", acks_late=True)
def bank_batch() -> None:
    from django.utils import timezone

    from market.payouts.paying import bank_batch_create

    bank_batch_create(date=timezone.localdate())


@app.task(name="payouts.reverse_refund_transfer", bind=True, acks_late=True, max_retries=12)
def reverse_refund_transfer(self: "Task[..., None]", *, refund_id: int) -> None:
    from market.payments.gateways import GatewayRetryable
    from market.payouts.refund_reversals import refund_transfer_reverse

    try:
        refund_transfer_reverse(refund_id=refund_id)
    except GatewayRetryable as error:
        # The reversal's idempotency key (per refund) makes every retry the same reversal.
        raise self.retry(exc=error, countdown=backoff_seconds(self.request.retries)) from error

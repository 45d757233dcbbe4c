from celery import Task

from workers.app import app
from workers.retry import backoff_seconds

# Services are imported inside tasks: this module is loaded with the Celery app, before
# Django's models are ready.


@app.task(
    name="payments.process_stripe_event",
    autoretry_for=(Exception,),
    max_retries=5,
    retry_backoff=True,
    retry_jitter=True,
)
def process_stripe_event(*, event_id: str) -> None:
    from market.payments.stripe_inbox import stripe_event_process

    stripe_event_process(event_id=event_id)


@app.task(name="payments.sweep_stripe_events")
def sweep_stripe_events() -> None:
    from market.payments.stripe_inbox import stripe_events_sweep

    stripe_events_sweep()


@app.task(name="payments.send_refund", bind=True, acks_late=True, max_retries=None)
def send_refund(self: "Task[..., None]", *, refund_id: int) -> None:
    from market.payments.gateways import GatewayRetryable
    from market.payments.refunds import refund_send

    try:
        refund_send(refund_id=refund_id)
    except GatewayRetryable as error:
        # The service counts attempts and fails the refund after REFUND_MAX_ATTEMPTS.
        raise self.retry(exc=error, countdown=backoff_seconds(self.request.retries)) from error


@app.task(name="payments.sweep_refunds", acks_late=True)
def sweep_refunds() -> None:
    from market.payments.refunds import refunds_sweep

    refunds_sweep()

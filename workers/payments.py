from workers.app import app

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

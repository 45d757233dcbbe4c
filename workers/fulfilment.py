"""Fulfilment: sellers hear of paid orders (with their customs papers), carriers are polled."""

from workers.app import app

# Services are imported inside tasks: this module is loaded with the Celery app, before
# Django's models are ready.


@app.task(
    name="fulfilment.order_paid",
    autoretry_for=(Exception,),
    max_retries=5,
    retry_backoff=True,
    retry_jitter=True,
)
def order_paid(*, order_id: int) -> None:
    from market.orders.fulfilment import order_paid_fulfil

    order_paid_fulfil(order_id=order_id)


@app.task(name="fulfilment.poll_tracking")
def poll_tracking() -> int:
    from market.orders.fulfilment import parts_poll_tracking

    return parts_poll_tracking()

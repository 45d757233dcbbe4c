from workers.app import app

# Services are imported inside tasks: this module is loaded with the Celery app, before
# Django's models are ready.


# Only a storage that cannot be read is retried (OSError, a few times); an image that cannot be
# decoded is logged by the service and not retried. A worker lost in the middle (killed for its
# memory) does not give the message back: an image that killed one worker must not kill the
# next one, again and again. The global time limits apply: like every task's, its hard limit
# stays below the broker's visibility timeout.
@app.task(
    name="catalog.generate_product_thumbnail",
    autoretry_for=(OSError,),
    max_retries=5,
    retry_backoff=True,
    retry_jitter=True,
    reject_on_worker_lost=False,
)
def generate_product_thumbnail(*, image_id: int) -> None:
    from market.catalog.services import product_image_generate_thumbnail

    product_image_generate_thumbnail(image_id=image_id)

from workers.app import app

# Services are imported inside tasks: this module is loaded with the Celery app, before
# Django's models are ready.


@app.task(name="catalog.generate_product_thumbnail", autoretry_for=(OSError,), max_retries=5,
          retry_backoff=True, retry_jitter=True)
def generate_product_thumbnail(*, image_id: int) -> None:
    from market.catalog.services import product_image_generate_thumbnail

    product_image_generate_thumbnail(image_id=image_id)

from celery import Task

from workers.app import app

# Services are imported inside tasks: this module is loaded with the Celery app, before
# Django's models are ready.


@app.task(
    name="catalog.run_product_import",
    bind=True,
    max_retries=24,
    soft_time_limit=1800,
    time_limit=1860,
)
def run_product_import(self: "Task[..., None]", *, import_id: int) -> None:
    """Import one uploaded CSV; a second delivery finds the import claimed or finished."""
    from market.catalog.imports import ProductImportBusy, product_import_run

    try:
        product_import_run(import_id=import_id)
    except ProductImportBusy as busy:
        # Another run holds it: come back when that run has finished or gone silent.
        raise self.retry(countdown=busy.retry_after) from busy

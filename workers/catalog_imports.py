import datetime as dt

from celery import Task

from workers.app import app

# Services are imported inside tasks: this module is loaded with the Celery app, before
# Django's models are ready.


@app.task(name="catalog.run_product_import", bind=True, max_retries=24)
def run_product_import(self: "Task[..., None]", *, import_id: int) -> None:
    """Import one uploaded CSV, a run at a time; a second delivery finds the import claimed or
    finished.

    Each run has half the soft time limit and queues the next run for the rest, so no run comes
    near the time limits (and the broker's visibility timeout above them)."""
    from market.catalog.imports import ProductImportBusy, product_import_run

    soft_limit = self.soft_time_limit or app.conf.task_soft_time_limit
    budget = dt.timedelta(seconds=soft_limit / 2) if soft_limit else None
    try:
        product_import_run(import_id=import_id, time_budget=budget)
    except ProductImportBusy as busy:
        # Another run holds it: come back when that run has finished or gone silent.
        raise self.retry(countdown=busy.retry_after) from busy

"""The domain's one door to the task queue.

Services name a task (``"catalog.generate_product_thumbnail"``) instead of importing ``workers``,
and the message leaves only when the surrounding transaction commits, so a worker never sees a
row that was rolled back or is not yet visible.
"""

from typing import Any

from celery import current_app
from django.db import transaction


def enqueue_on_commit(task_name: str, **kwargs: Any) -> None:
    def send() -> None:
        current_app.tasks[task_name].apply_async(kwargs=kwargs)

    transaction.on_commit(send)

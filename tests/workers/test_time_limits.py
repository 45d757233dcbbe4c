"""Every task is stopped before the broker gives its message to another worker."""

import pytest
from django.conf import settings

from workers.app import app

app.loader.import_default_modules()
TASKS = sorted(name for name in app.tasks if not name.startswith("celery."))


def _hard_limit(name: str) -> float:
    return app.tasks[name].time_limit or app.conf.task_time_limit


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(
                strict=True,
                reason="bulk-listing imports run up to 31 minutes until they go in chunks",
            ),
        )
        if name == "catalog.run_product_import"
        else name
        for name in TASKS
    ],
)
def test_a_tasks_hard_time_limit_is_below_the_visibility_timeout(name):
    assert _hard_limit(name) < settings.CELERY_BROKER_VISIBILITY_TIMEOUT


def test_the_soft_limit_comes_before_the_hard_one():
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit

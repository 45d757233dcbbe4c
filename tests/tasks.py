"""What the workers do after a commit, done in the test's own process."""

from contextlib import contextmanager
from types import SimpleNamespace
from unittest import mock

from celery import current_app
from django.test import TestCase

import market.core.tasks


class _InlineTasks:
    """Stands in for the task registry inside ``market.core.tasks``: a task sent is run at once
    in this process, as a worker runs it (``apply``: its retries too, without their waits)."""

    def __init__(self, app) -> None:
        self._app = app

    def __getitem__(self, name: str):
        task = self._app.tasks[name]

        class _Runner:
            @staticmethod
            def apply_async(args=None, kwargs=None, **options) -> None:
                # apply() runs a retry at once (the countdown is not waited); get() raises what
                # the last attempt raised.
                task.apply(args=args, kwargs=kwargs).get(disable_sync_subtasks=False)

        return _Runner


@contextmanager
def worker_inline():
    """``with worker_inline(): ...``: when what the block writes commits, the tasks it queued
    through ``enqueue_on_commit`` run here, one after the other, and so do the tasks those
    queue: what the workers would do next, without a worker or a broker."""
    app = current_app._get_current_object()
    with (
        mock.patch.object(
            market.core.tasks, "current_app", SimpleNamespace(tasks=_InlineTasks(app))
        ),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        yield

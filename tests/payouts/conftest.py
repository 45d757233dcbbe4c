import pytest

from tests.stripe_server.fixtures import _stripe_server_process, stripe_server  # noqa: F401


@pytest.fixture
def enqueued(monkeypatch):
    """Tasks sent to the broker during the test, as (task name, kwargs), instead of sending."""
    from celery import current_app

    sent = []
    for name in ("payments.process_stripe_event",):
        task = current_app.tasks[name]
        monkeypatch.setattr(
            task,
            "apply_async",
            lambda args=None, kwargs=None, _name=name, **options: sent.append((_name, kwargs)),
        )
    return sent

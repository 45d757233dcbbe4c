import pytest

from tests.stripe_server.fixtures import _stripe_server_process, stripe_server  # noqa: F401


@pytest.fixture
def enqueued(monkeypatch):
    """Stripe events queued for the worker during the test, as (task name, kwargs)."""
    from celery import current_app

    sent = []
    task = current_app.tasks["payments.process_stripe_event"]
    monkeypatch.setattr(
        task,
        "apply_async",
        lambda args=None, kwargs=None, **options: sent.append(
            ("payments.process_stripe_event", kwargs)
        ),
    )
    return sent

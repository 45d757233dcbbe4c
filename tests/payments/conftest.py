import pytest

from tests.stripe_server.fixtures import _stripe_server_process, stripe_server  # noqa: F401

CAPTURED_TASKS = ("payments.process_stripe_event", "fulfilment.order_paid")


@pytest.fixture
def enqueued(monkeypatch):
    """Tasks sent to the broker during the test, as (task name, kwargs), instead of sending."""
    from celery import current_app

    sent = []
    for name in CAPTURED_TASKS:
        task = current_app.tasks[name]
        monkeypatch.setattr(
            task,
            "apply_async",
            lambda args=None, kwargs=None, _name=name, **options: sent.append((_name, kwargs)),
        )
    return sent


@pytest.fixture
def stripe_gateway(request, settings):
    """Buyers pay through Stripe (the local server, returned) for this test."""
    server = request.getfixturevalue("stripe_server")
    settings.PAYMENT_GATEWAY = "stripe"
    settings.PAYMENT_GATEWAYS = ["stripe"]
    return server

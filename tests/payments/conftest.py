import pytest

from tests.stripe_server.fixtures import _stripe_server_process, stripe_server  # noqa: F401


@pytest.fixture
def stripe_gateway(request, settings):
    """Buyers pay through Stripe (the local server, returned) for this test."""
    server = request.getfixturevalue("stripe_server")
    settings.PAYMENT_GATEWAY = "stripe"
    settings.PAYMENT_GATEWAYS = ["stripe"]
    return server

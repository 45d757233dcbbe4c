"""Pytest fixtures for the local Stripe-compatible server; import them into a conftest."""

import pytest

from tests.stripe_server.server import StripeServer


@pytest.fixture(scope="session")
def _stripe_server_process():
    with StripeServer() as server:
        yield server


@pytest.fixture
def stripe_server(_stripe_server_process, settings):
    """The local Stripe server, emptied, with the SDK pointed at it for this test."""
    _stripe_server_process.reset(api_key=settings.STRIPE_SECRET_KEY)
    settings.STRIPE_API_BASE = _stripe_server_process.url
    yield _stripe_server_process

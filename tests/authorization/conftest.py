import pytest
from django.core.cache import cache

from tests.stripe_server.fixtures import _stripe_server_process, stripe_server  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Sign-in failures and throttles are counted in the cache: no test inherits another's.
    cache.clear()
    yield
    cache.clear()

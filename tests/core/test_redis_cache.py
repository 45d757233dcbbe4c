"""The shared cache's backend keeps one Redis client per connection pool instead of making one
for every call (Django's own backend does: each one builds a few hundred response callbacks)."""

import pytest
import redis
from django.core.cache import cache as shared

from market.core.cache import cache
from tests.conftest import service_required


def test_cache_calls_share_one_redis_client_and_still_store_and_read(settings, monkeypatch):
    service_required(bool(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://…")
    shared.get("warm-up")  # the pools and clients made before counting
    shared.set("warm-up", 1)
    made = []
    original = redis.Redis.__init__

    def counted(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counted)

    for n in range(10):
        assert cache.shared_set_many({f"test:redis-client:{n}": n}, timeout=30)
    found = cache.shared_get_many([f"test:redis-client:{n}" for n in range(10)])

    assert found == {f"test:redis-client:{n}": n for n in range(10)}
    assert made == []


@pytest.mark.parametrize("write", [False, True])
def test_the_same_client_answers_every_call_of_a_pool(settings, write):
    service_required(bool(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://…")

    client = shared._cache

    assert client.get_client(write=write) is client.get_client(write=write)

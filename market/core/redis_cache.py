"""Django's Redis cache backend, with one client object per connection pool.

Django's own client makes a new ``redis.Redis`` for every cache call, and each one builds its
table of a few hundred response callbacks: under load (bench/load.py, the catalogue's answers
in Redis, two or more cache calls a request) that was about 5 % of the API processes' CPU. A
``redis.Redis`` is safe to share between threads (each command borrows a connection from the
pool), so one per pool does the same work.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    # Django's private helpers (the stubs leave them out): which pool, and the pool itself.
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._client(connection_pool=pool)  # type: ignore[attr-defined]
            self._clients[index] = client
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def redis_client(self) -> Any:
        """The ``redis.Redis`` this cache writes with, for what Django's cache API cannot say
        (market.core.cache.DegradingCache.shared_redis)."""
        return self._cache.get_client(write=True)  # type: ignore[attr-defined]

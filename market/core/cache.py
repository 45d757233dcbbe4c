"""The shared cache (Redis in production), used so that its outage slows us down and is logged,
but never stops a sign-in or a page.

Everything of ours that uses the cache goes through ``cache`` here (the catalogue's answers and
facets, the reference tables, the sitemap), or ``limits`` (the sign-in and e-mail limits'
counters, Django's ``limits`` cache: a Redis that never evicts, in production). When a shared
cache does not answer (Redis stopped, a network fault, a timeout: ``market.settings`` gives its
connections short timeouts), each call falls back to a cache in this process's memory: limits
still hold per process, cached answers are computed again, and a warning is logged (at most
once a minute per process). No caller, and no client, ever sees the connection error.

After a failure the process leaves the shared cache alone for ``REDIS_CACHE_RETRY_SECONDS``:
a Redis that hangs rather than refuses costs one request per process the connection timeout in
that time, not every call of every request (a sign-in makes six). The first call after the pause
tries the shared cache again, and the process is back on it when it answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError

from market.core.outages import Outage

logger = logging.getLogger(__name__)

# What a cache that cannot be reached raises: redis-py's errors, and socket errors from below.
UNREACHABLE = (RedisError, OSError)

T = TypeVar("T")


class DegradingCache:
    """The calls we use of one of Django's caches (``alias``), each falling back to process
    memory on an outage."""

    def __init__(self, alias: str) -> None:
        self._alias = alias
        self._local = LocMemCache(f"market-{alias}-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self._outage = Outage()

    @property
    def _shared(self) -> BaseCache:
        # Looked up on each call: Django keeps one connection per thread, and a test that
        # changes CACHES gets the new one.
        return caches[self._alias]

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self._paused():
            return getattr(self._local, name)(*args, **kwargs)
        try:
            return getattr(self._shared, name)(*args, **kwargs)
        except UNREACHABLE as error:
            self._failed(error)
            return getattr(self._local, name)(*args, **kwargs)

    def _paused(self) -> bool:
        return self._outage.pausing()

    def _failed(self, error: BaseException) -> None:
        if self._outage.failed(pause=settings.REDIS_CACHE_RETRY_SECONDS) is not None:
            logger.warning(
                "The shared cache does not answer (%r, %s: %s); this process uses its own "
                "memory until it does: sign-in limits hold per process, and the catalogue's "
                "answers are not cached.",
                self._alias,
                type(error).__name__,
                error,
            )

    def get(self, key: str, default: Any = None) -> Any:
        return self._call("get", key, default)

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        self._call("set", key, value, timeout=timeout)

    def add(self, key: str, value: Any, timeout: float | None = None) -> bool:
        return bool(self._call("add", key, value, timeout=timeout))

    def get_or_set(self, key: str, default: Callable[[], Any], timeout: float | None = None) -> Any:
        return self._call("get_or_set", key, default, timeout=timeout)

    def incr(self, key: str, delta: int = 1) -> int:
        return int(self._call("incr", key, delta))

    def decr(self, key: str, delta: int = 1) -> int:
        return int(self._call("decr", key, delta))

    def delete(self, key: str) -> None:
        self._call("delete", key)

    def shared_get_many(self, keys: list[str]) -> dict[str, Any] | None:
        """The shared cache's values of ``keys``, or None when it does not answer: for answers
        that are only right if every process sees the same cache (never process memory)."""
        if self._paused():
            return None
        try:
            return dict(self._shared.get_many(keys))
        except UNREACHABLE as error:
            self._failed(error)
            return None

    def shared_set_many(self, values: dict[str, Any], timeout: float | None = None) -> bool:
        """Store ``values`` in the shared cache only; False when it does not answer."""
        if self._paused():
            return False
        try:
            self._shared.set_many(values, timeout=timeout)
        except UNREACHABLE as error:
            self._failed(error)
            return False
        return True

    def shared_add(self, key: str, value: Any, timeout: float | None = None) -> bool:
        """``add`` in the shared cache only; False when the key exists or it does not answer."""
        if self._paused():
            return False
        try:
            return bool(self._shared.add(key, value, timeout=timeout))
        except UNREACHABLE as error:
            self._failed(error)
            return False

    def shared_redis(self, call: Callable[[Any, Callable[[str], str]], T]) -> T | None:
        """``call(client, make_key)`` with the shared cache's own Redis client and its key
        maker (the cache's prefix and version), for what needs Redis itself (a script, a
        hash); None when the shared cache does not answer or is not Redis."""
        if self._paused():
            return None
        shared = self._shared
        client_of = getattr(shared, "redis_client", None)
        if client_of is None:
            return None
        try:
            return call(client_of(), shared.make_key)
        except UNREACHABLE as error:
            self._failed(error)
            return None

    def clear_local(self) -> None:
        """Forget the fallback's memory, and that the shared cache failed (tests)."""
        self._local.clear()
        self._outage.forget()


cache = DegradingCache("default")
limits = DegradingCache("limits")

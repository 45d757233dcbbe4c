"""``/healthz`` and ``/readyz`` for load balancers and orchestrators.

``/healthz`` says the process is alive: it answers without touching anything else, so a slow
database never gets a healthy process restarted. ``/readyz`` says whether the process can do
its work now: it asks the database, the broker and the cache (and the sign-in limits' Redis
where that is another), each with a short timeout, and answers 200 when all answer, else 503,
with each one's time in milliseconds. Neither names a host, a URL or an error's text: they are
public. Being public, ``/readyz`` asks at most once per ``READYZ_CACHE_SECONDS`` (1 s) per
process and answers the others from that: a flood of calls must not become a flood of broker
connections and cache writes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 1


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)


def _keeps_a_value(alias: str) -> None:
    shared_cache = caches[alias]
    shared_cache.set("market:readyz", "1", timeout=10)
    if shared_cache.get("market:readyz") != "1":
        raise RuntimeError(f"the {alias} cache did not keep a value")


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "broker": _broker,
    "cache": lambda: _keeps_a_value("default"),
}


def _checks() -> dict[str, Callable[[], None]]:
    """The three, and the sign-in limits' Redis where it is not the cache's."""
    location = settings.CACHES["limits"].get("LOCATION")
    if location == settings.CACHES["default"].get("LOCATION") or not str(location).startswith(
        "redis"
    ):
        return CHECKS
    return {**CHECKS, "limits": lambda: _keeps_a_value("limits")}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


_last_answer: tuple[float, dict[str, object], int] | None = None
_asking = threading.Lock()


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    global _last_answer
    with _asking:  # one thread asks; the others wait for its answer
        now = time.monotonic()
        if _last_answer is None or now - _last_answer[0] >= settings.READYZ_CACHE_SECONDS:
            _last_answer = (now, *_readiness())
        _, body, status = _last_answer
    return JsonResponse(body, status=status)


def _readiness() -> tuple[dict[str, object], int]:
    results: dict[str, dict[str, object]] = {}
    for name, check in _checks().items():
        started = time.perf_counter()
        try:
            check()
            ok = True
        except Exception:  # any failure means "not ready"; its text stays out of the answer
            logger.warning("Readiness check %r failed", name, exc_info=True)
            ok = False
        results[name] = {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1)}
    ready = all(result["ok"] for result in results.values())
    return {"status": "ready" if ready else "unavailable", "checks": results}, (
        200 if ready else 503
    )

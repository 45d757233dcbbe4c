"""The reference tables (where we deliver, by which methods at what price, each destination's
duties, the exchange rates in force), read on every quote, kept in the shared cache under one
version that every change of them moves.

They change rarely (staff edit them in the admin, the rates task records a bulletin once a
day) and are read many times a request: a checkout's quote reads the methods to its country,
the duty row and an exchange rate, and a delivery choice quotes again. So:

- Each reading (``reference_get(name, load)``: the methods to one country, one destination's
  duty row, one currency's latest rate) is kept in the shared cache under the current
  *version*, and computed from the tables only when it is not there yet.
- Every change of these tables moves the version after its transaction commits: the models'
  ``post_save``/``post_delete`` signals and their querysets' bulk ``update``/``bulk_create``
  call :func:`reference_tables_changed` (``ReferenceTableQuerySet``), so the services, the
  admin, the demo's seeding and the rates task are all caught. A reader takes the version
  before it reads the tables, so a reading computed from rows older than a change is kept only
  under a version nobody asks for any more.
- Within a transaction that has changed them and not yet committed, readings come from the
  tables as that transaction sees them, and are neither kept in nor taken from the cache.
- Within a request (``reference_memo``, around every request by ``ReferenceMemoMiddleware``),
  each reading is taken at most once.
- Only the shared cache keeps readings: when it does not answer, readings come from the
  tables (never from one process's memory, which another process's change cannot reach).
  A change whose version could not be moved (the cache was unreachable just then) is bounded
  by ``REFERENCE_CACHE_SECONDS``, the readings' lifetime; 0 keeps nothing (the embedded demo,
  whose cache is one process's memory).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction

from market.core.cache import cache

logger = logging.getLogger(__name__)

T = TypeVar("T")

VERSION_KEY = "reference:version"
_VERSION = object()  # the memo's entry for the version the request read

_memo: ContextVar[dict[object, Any] | None] = ContextVar("market_reference_memo", default=None)


def reference_cache_enabled() -> bool:
    return int(settings.REFERENCE_CACHE_SECONDS) > 0


# --- Writers ----------------------------------------------------------------------------------


def reference_tables_changed() -> None:
    """A row of a reference table changed: the version moves once the transaction commits
    (at once outside one), and until then this transaction reads the tables themselves."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()
    if _change_pending() is None:
        transaction.on_commit(_VersionMove())


class _VersionMove:
    """What a transaction that changed the tables runs once it commits. While it waits, it
    names that transaction in the request's memo: its readings (of rows not yet committed)
    are its own, and are dropped with it."""

    def __call__(self) -> None:
        memo = _memo.get()
        if memo is not None:
            memo.clear()
        if not reference_cache_enabled():
            return
        # The version never expires on its own: readings under a version that vanished are
        # simply computed again under a new one.
        if not cache.shared_set_many({VERSION_KEY: time.time_ns()}, timeout=None):
            logger.warning(
                "The reference tables changed but their kept readings could not be dropped: "
                "quotes may use the old delivery prices, duties or rates for up to %s s.",
                settings.REFERENCE_CACHE_SECONDS,
            )


def _change_pending() -> _VersionMove | None:
    """The move that waits for this connection's transaction to commit, if it changed the
    tables (Django drops it when the transaction, or the savepoint that changed them, rolls
    back)."""
    for _, func, _ in transaction.get_connection().run_on_commit:
        if isinstance(func, _VersionMove):
            return func
    return None


class ReferenceTableQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """A reference table's queryset: its bulk writes, which send no signals, move the version
    too (``delete`` sends ``post_delete`` for every row while a receiver listens)."""

    def update(self, **kwargs: Any) -> int:
        changed = super().update(**kwargs)
        if changed:
            reference_tables_changed()
        return changed

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[Any]:
        created = super().bulk_create(*args, **kwargs)
        reference_tables_changed()
        return created

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        changed = super().bulk_update(*args, **kwargs)
        reference_tables_changed()
        return changed


def reference_table_register(model: type[models.Model]) -> None:
    """Move the version whenever a row of ``model`` is saved or deleted (admin pages and
    inlines, services, fixtures, the demo's seeding alike). Called from the app's ``ready``."""
    models.signals.post_save.connect(
        _row_changed, sender=model, dispatch_uid=f"reference:save:{model._meta.label}"
    )
    models.signals.post_delete.connect(
        _row_changed, sender=model, dispatch_uid=f"reference:delete:{model._meta.label}"
    )


def _row_changed(sender: type[models.Model], **kwargs: Any) -> None:
    reference_tables_changed()


# --- Readers ----------------------------------------------------------------------------------


@contextmanager
def reference_memo() -> Iterator[None]:
    """Within the block (a request), each reading is taken once."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def reference_get(name: str, load: Callable[[], T]) -> T:
    """The reading ``name`` (one per what ``load`` returns, e.g. ``delivery:DE``): from this
    request's memo, else from the shared cache under the current version, else ``load()`` from
    the tables (kept for the next reader). ``load`` must return a picklable value that depends
    on the tables alone."""
    pending = _change_pending()
    memo = _memo.get()
    key = (name, pending)
    if memo is not None and key in memo:
        value: T = memo[key]
        return value
    # A transaction that changed the tables reads them as it sees them, and keeps nothing.
    value = load() if pending is not None else _shared_get(name, load, memo)
    if memo is not None:
        memo[key] = value
    return value


def _shared_get(name: str, load: Callable[[], T], memo: dict[object, Any] | None) -> T:
    if not reference_cache_enabled():
        return load()
    version = memo.get(_VERSION) if memo is not None else None
    if version is None:
        version = _version_current()
        if version is None:
            return load()
        if memo is not None:
            memo[_VERSION] = version
    key = f"reference:{version}:{name}"
    found = cache.shared_get_many([key])
    if found is None:
        return load()
    if key in found:
        kept: T = found[key]
        return kept
    value = load()
    cache.shared_set_many({key: value}, timeout=settings.REFERENCE_CACHE_SECONDS)
    return value


def _version_current() -> int | None:
    """The version in force; None when the shared cache does not answer."""
    found = cache.shared_get_many([VERSION_KEY])
    if found is None:
        return None
    if VERSION_KEY not in found:
        # Never changed since the cache started (or evicted): a new version from now on,
        # unless a writer's got there first (``add`` keeps it; it is read again).
        cache.shared_add(VERSION_KEY, time.time_ns(), timeout=None)
        found = cache.shared_get_many([VERSION_KEY])
        if found is None or VERSION_KEY not in found:
            return None
    return int(found[VERSION_KEY])

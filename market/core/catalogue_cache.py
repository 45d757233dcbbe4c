"""The catalogue's answers for anonymous visitors, kept in the shared cache, and the one rule
that drops them when what they show changes.

An answer (a page of products, a product, the categories…) is stored with the *versions* it
was computed under, and served only while every one of them is unchanged:

- the catalogue's generation, which every answer depends on. It moves on whatever can change
  which products a list holds, or what every answer shows: a listing published, unpublished,
  created, edited or repriced; a seller's profile or status; categories, attributes, exchange
  rates, delivery tables. These are rare next to browsing.
- one version per product the answer shows. It moves when only that product's own figures
  change: a new image, a new description, a checkout taking its last units (it now shows "out
  of stock").
- the *stocked* version, which only the lists filtered by stock (``inStock``) depend on. It
  moves when a sale or a cancellation makes a variant run out or come back, with the
  product's version: those lists gain or lose the product; the others still hold it.
- one *stock* version per product whose units on hand the answer shows (a variant's
  ``quantityAvailable``: the product page, not the lists, which show only ``inStock``). It
  moves with the product's version, and alone when a checkout takes units of it while some are
  left. So the checkouts of a busy shop drop the pages that count what they bought, not the
  lists that merely show it, nor the rest of the catalogue.

Writers call ``catalogue_changed`` inside their transaction; the versions move after commit.
A version is the time of its change (nanoseconds): an answer computed by a request that
started before a version moved may have read the rows before the change, so it is not stored
(``CLOCK_MARGIN_NS`` allows for the clocks of several machines).

Only the shared cache holds answers and versions: when it does not answer, nothing is served
from it and nothing is stored (an answer in one process's memory could not hear of another
process's stock change). A change whose versions could not be moved then (the cache was
unreachable at that moment) is bounded by the answers' lifetime,
``CATALOGUE_CACHE_SECONDS``, the safety net.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from redis.exceptions import NoScriptError

from market.core.cache import cache

logger = logging.getLogger(__name__)

GENERATION_KEY = "catalogue:version:generation"
STOCKED_KEY = "catalogue:version:stocked"
ANSWER_PREFIX = "catalogue:answer:"
CLOCK_MARGIN_NS = 1_000_000_000


def _product_key(product_id: int) -> str:
    return f"catalogue:version:product:{product_id}"


def _stock_key(product_id: int) -> str:
    return f"catalogue:version:stock:{product_id}"


def catalogue_cache_enabled() -> bool:
    """Answers are kept only where the cache is shared by every process (Redis): the embedded
    demo's cache is one process's memory, which a worker's stock change could not reach."""
    return int(settings.CATALOGUE_CACHE_SECONDS) > 0


def catalogue_changed(
    *,
    product_ids: Iterable[int] = (),
    stock_of: Iterable[int] = (),
    stocked: bool = False,
    listings: bool = False,
) -> None:
    """Drop, once the current transaction commits, the kept answers that show any of
    ``product_ids``, those that show the units on hand of any of ``stock_of`` (units sold or
    put back), with ``stocked`` the lists filtered by stock (a variant of ``product_ids`` ran
    out or came back) and, with ``listings``, every kept answer (see the module's rule for
    which changes need which). Every writer of what the catalogue shows calls this."""
    ids = sorted(set(product_ids))
    stock_ids = sorted(set(stock_of) | set(ids))
    if not ids and not stock_ids and not stocked and not listings:
        return
    transaction.on_commit(
        lambda: _versions_move(ids, stock_ids, stocked=stocked, listings=listings)
    )


def _versions_move(
    product_ids: list[int], stock_ids: list[int], *, stocked: bool, listings: bool
) -> None:
    now = time.time_ns()
    keys = [_product_key(pk) for pk in product_ids] + [_stock_key(pk) for pk in stock_ids]
    if stocked:
        keys.append(STOCKED_KEY)
    if listings:
        keys.append(GENERATION_KEY)

    def move(client: Any, make_key: Callable[[str], str]) -> bool:
        # Versions never expire on their own: an answer naming a version that vanished is
        # dropped.
        client.mset({make_key(key): now for key in keys})
        return True

    if not cache.shared_redis(move):
        logger.warning(
            "Catalogue answers could not be dropped (products %s, stock of %s, listings %s): "
            "kept ones may show the old figures for up to %s s.",
            product_ids,
            stock_ids,
            listings,
            settings.CATALOGUE_CACHE_SECONDS,
        )


@dataclass
class CatalogueAnswer:
    """What one request notes while it computes a cacheable answer."""

    key: str
    started_ns: int = field(default_factory=time.time_ns)
    product_ids: set[int] = field(default_factory=set)
    stock_product_ids: set[int] = field(default_factory=set)
    stocked: bool = False  # a list filtered by stock
    complete: bool = False


# An answer is a Redis hash: its body, and the versions it was computed under as JSON
# ({Redis key: value}). Serving one is this script, one round trip: the body, if every version
# still holds the value it had. (Its keys are read from the answer, so one Redis, not a cluster.)
ANSWER_GET_SCRIPT = """
local kept = redis.call('HMGET', KEYS[1], 'body', 'versions')
if not kept[1] or not kept[2] then return false end
for key, value in pairs(cjson.decode(kept[2])) do
  if redis.call('GET', key) ~= value then return false end
end
return kept[1]
"""
ANSWER_GET_SHA = hashlib.sha1(ANSWER_GET_SCRIPT.encode()).hexdigest()


def catalogue_answer_get(key: str) -> bytes | None:
    """The kept answer of ``key`` (its JSON, UTF-8) if no version it was computed under has
    moved since."""

    def get(client: Any, make_key: Callable[[str], str]) -> bytes | None:
        try:
            body = client.evalsha(ANSWER_GET_SHA, 1, make_key(key))
        except NoScriptError:  # a Redis that has not run it yet (restarted): EVAL loads it
            body = client.eval(ANSWER_GET_SCRIPT, 1, make_key(key))
        return bytes(body) if body is not None else None

    return cache.shared_redis(get)


def catalogue_answer_set(answer: CatalogueAnswer, body: str) -> bool:
    """Keep ``body`` for ``answer.key`` unless something it shows changed while it was being
    computed; True when it was kept."""
    keys = [
        GENERATION_KEY,
        *([STOCKED_KEY] if answer.stocked else []),
        *(_product_key(pk) for pk in sorted(answer.product_ids)),
        *(_stock_key(pk) for pk in sorted(answer.stock_product_ids)),
    ]

    def keep(client: Any, make_key: Callable[[str], str]) -> bool:
        names = [make_key(key) for key in keys]
        current = client.mget(names)
        if None in current:
            # Never changed since the cache started (or evicted): "changed long ago" from now
            # on, unless a writer's version got there first (NX keeps it; it is read again).
            pipe = client.pipeline(transaction=False)
            for name, value in zip(names, current, strict=True):
                if value is None:
                    pipe.set(name, 0, nx=True)
            pipe.mget(names)
            current = pipe.execute()[-1]
            if None in current:
                return False
        if any(int(value) > answer.started_ns - CLOCK_MARGIN_NS for value in current):
            return False
        versions = {name: value.decode() for name, value in zip(names, current, strict=True)}
        pipe = client.pipeline(transaction=True)
        stored = make_key(answer.key)
        pipe.hset(stored, mapping={"body": body, "versions": json.dumps(versions)})
        pipe.expire(stored, int(settings.CATALOGUE_CACHE_SECONDS))
        pipe.execute()
        return True

    return bool(cache.shared_redis(keep))

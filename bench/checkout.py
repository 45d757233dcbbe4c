"""Checkout benchmark: guests complete checkouts over HTTP, on PostgreSQL.

It migrates a benchmark database, seeds the demo catalogue (``seed_demo``) and its delivery
tables, starts the production server (gunicorn, sync workers, DEBUG off) and, through the
GraphQL API, prepares checkouts of 3 lines from 2 sellers shipped to Berlin in EUR (create,
cheapest delivery per seller), then times ``checkoutComplete`` alone: first one client after
another, then 8 concurrent clients. Then it checks that nothing was oversold, and races 8
buyers for a last unit. It prints figures next to the targets; it asserts nothing.

    .venv/bin/python bench/checkout.py              # 200 checkouts per phase
    .venv/bin/python bench/checkout.py --quick      # smoke run: 40 checkouts per phase

See bench/README.md for every option and what the figures mean.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

# The catalogue benchmark's database, process and HTTP helpers (this folder is on sys.path when
# the script runs).
from catalogue import (
    BenchError,
    Client,
    Server,
    database_name,
    drop_database,
    ensure_database,
    percentile,
    run_manage,
    server_version,
    staging_env,
    vacuum_analyze,
    verdict,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/market_bench_checkout"

# Targets from the issue; printed next to the figures, never asserted.
TARGET_SEQUENTIAL_MEDIAN_MS = 60.0
TARGET_CONCURRENT_PER_SECOND = 40.0
TARGET_CONCURRENT_CLIENTS = 8

POOL_STOCK = 1_000_000  # stock given to the benchmark's variants: runs never exhaust them
POOL_SELLERS = 8  # sellers whose variants the checkouts draw from
POOL_VARIANTS_PER_SELLER = 6
CURRENCY = "EUR"
BERLIN = {
    "name": "Lena Hoffmann",
    "streetAddress1": "Torstraße 1",
    "city": "Berlin",
    "postalCode": "10119",
    "country": "DE",
    "phone": "+49 30 1234567",
}

# --- The API the benchmark speaks -------------------------------------------------------------
# Kept in one place: when the API's shapes change, only these documents change.
OPERATIONS = {
    "checkoutCreate": "mutation",
    "checkoutDeliveryMethodUpdate": "mutation",
    "checkoutComplete": "mutation",
    "checkoutQuote": "query",
}

CHECKOUT_CREATE = """
mutation BenchCheckoutCreate($input: CheckoutCreateInput!) {
  checkoutCreate(input: $input) {
    checkout { token }
    errors { field code message }
  }
}
"""

CHECKOUT_DELIVERY_OPTIONS = """
query BenchCheckoutDelivery($token: UUID!) {
  checkoutQuote(token: $token) {
    parts {
      seller { id }
      deliveryOptions { shippingMethod { id } price { amount } }
    }
  }
}
"""

CHECKOUT_DELIVERY_METHOD_UPDATE = """
mutation BenchCheckoutDelivery($token: UUID!, $sellerId: ID!, $shippingMethodId: ID!) {
  checkoutDeliveryMethodUpdate(token: $token, sellerId: $sellerId,
                               shippingMethodId: $shippingMethodId) {
    errors { field code message }
  }
}
"""

CHECKOUT_COMPLETE = """
mutation BenchCheckoutComplete($token: UUID!, $idempotencyKey: String!) {
  checkoutComplete(token: $token, idempotencyKey: $idempotencyKey) {
    order { number total { amount currency } }
    errors { field code message }
  }
}
"""

INTROSPECTION = """
{ __schema { queryType { fields { name } } mutationType { fields { name } } } }
"""

# Run inside ``manage.py shell``: delivery tables for the demo, the variants the checkouts buy
# (given a large stock), one variant for the last-unit race; printed as one JSON line.
SETUP_SCRIPT = """
import json
from django.db import transaction
from market.catalog.models import ProductVariant
from market.catalog.selectors import product_list_published
from market.shipping.selectors import shipping_methods_for_country

try:
    from market.demo.delivery import demo_delivery_create
except ImportError:
    demo_delivery_create = None

with transaction.atomic():
    if demo_delivery_create is not None and not shipping_methods_for_country("DE"):
        demo_delivery_create()
    products = product_list_published().filter(is_exportable=True)
    by_seller = {}
    for variant in (ProductVariant.objects.filter(product__in=products,
                                                  price_amount__isnull=False)
                    .select_related("product").order_by("product__seller_id", "pk")):
        weight = variant.product.weight_grams or 500
        if weight <= 2000:
            by_seller.setdefault(variant.product.seller_id, []).append(variant.pk)
    sellers = [s for s, v in sorted(by_seller.items()) if len(v) >= 3][:%(sellers)d + 1]
    race_seller = sellers.pop() if len(sellers) > 2 else None
    pool = {s: by_seller[s][:%(per_seller)d] for s in sellers}
    race_variant = by_seller[race_seller][0] if race_seller else None
    ProductVariant.objects.filter(pk__in=[v for vs in pool.values() for v in vs]).update(
        stock_quantity=%(stock)d)
print(json.dumps({
    "delivery_tables": bool(shipping_methods_for_country("DE")),
    "demo_delivery_create": demo_delivery_create is not None,
    "pool": pool,
    "race_variant": race_variant,
}))
"""


def global_id(type_name: str, pk: int) -> str:
    """The relay id the API uses for a row (``base64("Type:pk")``)."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


# --- Results ----------------------------------------------------------------------------------


@dataclass
class Phase:
    label: str
    clients: int
    latencies_ms: list[float] = field(default_factory=list)
    sql_counts: list[int] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.orders) / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 95)


@dataclass
class OversellCheck:
    variants: int
    units_sold: int
    mismatches: list[str]
    orders_in_database: int
    orders_answered: int

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.orders_in_database == self.orders_answered


@dataclass
class Results:
    """Everything measured so far: printed as a summary even when a later step fails."""

    phases: list[Phase] = field(default_factory=list)
    check: OversellCheck | None = None
    races: list[RaceResult] = field(default_factory=list)


@dataclass
class RaceResult:
    label: str
    orders: int
    stock_after: int
    refusals: dict[str, int]

    @property
    def ok(self) -> bool:
        return self.orders == 1 and self.stock_after == 0


# --- Talking to the API -----------------------------------------------------------------------


class Refused(BenchError):
    """The API answered a step of the checkout with errors (e.g. out of stock)."""

    def __init__(self, operation: str, errors: list[dict]):
        super().__init__(f"{operation} refused: {errors}")
        self.code = errors[0].get("code") or "?"


class Api:
    """One client's connection; raises BenchError on anything but a clean answer."""

    def __init__(self, port: int):
        self.client = Client(port)

    def call(self, document: str, variables: dict) -> tuple[float, int, dict]:
        """(milliseconds, SQL queries, data) of one GraphQL request."""
        payload = json.dumps({"query": document, "variables": variables}).encode()
        elapsed_ms, status, headers, body = self.client.post(payload)
        try:
            answer = json.loads(body)
        except ValueError:
            raise BenchError(f"HTTP {status}, not JSON: {body[:500]!r}") from None
        if status != 200 or answer.get("errors"):
            raise BenchError(
                f"HTTP {status}, errors: {json.dumps(answer.get('errors'), indent=2)[:2000]}"
            )
        count = {k.lower(): v for k, v in headers.items()}.get("x-sql-queries")
        return elapsed_ms, int(count) if count is not None else -1, answer["data"]

    def close(self) -> None:
        self.client.close()


def payload_errors(data: dict, name: str) -> list[dict]:
    return (data.get(name) or {}).get("errors") or []


def checkout_prepare(api: Api, lines: list[tuple[int, int]]) -> str:
    """A checkout of ``lines`` (variant id, quantity) to Berlin in EUR with the cheapest
    delivery for each seller; its token."""
    _, _, data = api.call(
        CHECKOUT_CREATE,
        {
            "input": {
                "email": f"bench-{uuid.uuid4().hex[:12]}@example.com",
                "currency": CURRENCY,
                "lines": [
                    {"variantId": global_id("ProductVariant", v), "quantity": q} for v, q in lines
                ],
                "shippingAddress": BERLIN,
                "billingAddress": BERLIN,
            }
        },
    )
    if errors := payload_errors(data, "checkoutCreate"):
        raise Refused("checkoutCreate", errors)
    token = data["checkoutCreate"]["checkout"]["token"]
    _, _, data = api.call(CHECKOUT_DELIVERY_OPTIONS, {"token": token})
    for part in data["checkoutQuote"]["parts"]:
        options = part["deliveryOptions"]
        if not options:
            raise BenchError(f"no delivery option to Berlin for seller {part['seller']['id']}")
        cheapest = min(options, key=lambda option: float(option["price"]["amount"]))
        _, _, data = api.call(
            CHECKOUT_DELIVERY_METHOD_UPDATE,
            {
                "token": token,
                "sellerId": part["seller"]["id"],
                "shippingMethodId": cheapest["shippingMethod"]["id"],
            },
        )
        if errors := payload_errors(data, "checkoutDeliveryMethodUpdate"):
            raise Refused("checkoutDeliveryMethodUpdate", errors)
    return token


def checkout_complete(
    api: Api, token: str, key: str | None = None
) -> tuple[float, int, str | None, str | None]:
    """(ms, SQL queries, order number or None, refusal code or None)."""
    elapsed_ms, queries, data = api.call(
        CHECKOUT_COMPLETE, {"token": token, "idempotencyKey": key or f"bench-{token}"}
    )
    payload = data["checkoutComplete"]
    if payload["errors"]:
        return elapsed_ms, queries, None, payload["errors"][0]["code"]
    return elapsed_ms, queries, payload["order"]["number"], None


def api_missing(port: int) -> list[str]:
    """The operations the benchmark needs that the schema does not have yet."""
    api = Api(port)
    try:
        _, _, data = api.call(INTROSPECTION, {})
    finally:
        api.close()
    have = {
        "query": {f["name"] for f in data["__schema"]["queryType"]["fields"]},
        "mutation": {
            f["name"] for f in (data["__schema"]["mutationType"] or {}).get("fields") or []
        },
    }
    return [f"{kind} {name}" for name, kind in OPERATIONS.items() if name not in have[kind]]


# --- Phases -----------------------------------------------------------------------------------


def basket(pool: dict[int, list[int]], rng: random.Random) -> list[tuple[int, int]]:
    """3 lines from 2 sellers: two items of one maker, one of another, one unit each."""
    first, second = rng.sample(sorted(pool), 2)
    return [(v, 1) for v in rng.sample(pool[first], 2)] + [(rng.choice(pool[second]), 1)]


def run_clients(clients: int, work, port: int) -> float:
    """Run ``work(api, index)`` in ``clients`` threads, each with its own connection, started
    together; the wall-clock seconds until the last finished."""
    barrier = threading.Barrier(clients + 1)
    failures: list[BaseException] = []

    def body(index: int) -> None:
        api = Api(port)
        try:
            barrier.wait()
            work(api, index)
        except BaseException as error:  # reported after every thread ended
            failures.append(error)
        finally:
            api.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise BenchError(f"{len(failures)} client(s) failed; the first: {failures[0]}")
    return wall


def prepare(
    count: int, pool: dict[int, list[int]], port: int, clients: int, seed: int
) -> tuple[list[str], float]:
    """``count`` checkouts ready to complete (prepared by ``clients`` threads), and the seconds
    that took."""
    tokens: list[str] = []
    lock = threading.Lock()

    def work(api: Api, index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        for _ in range(index, count, clients):
            token = checkout_prepare(api, basket(pool, rng))
            with lock:
                tokens.append(token)

    return tokens, run_clients(clients, work, port)


def complete_all(tokens: list[str], phase: Phase, port: int) -> Phase:
    """Complete every checkout, ``phase.clients`` at a time; only checkoutComplete is timed."""
    lock = threading.Lock()

    def work(api: Api, index: int) -> None:
        for token in tokens[index :: phase.clients]:
            elapsed_ms, queries, number, code = checkout_complete(api, token)
            with lock:
                phase.latencies_ms.append(elapsed_ms)
                phase.sql_counts.append(queries)
                if number:
                    phase.orders.append(number)
                else:
                    phase.refused.append(code)

    phase.wall_seconds = run_clients(phase.clients, work, port)
    return phase


def last_unit_races(variant_id: int, url: str, port: int, clients: int) -> list[RaceResult]:
    """Two races for one last unit, each by ``clients`` buyers started together.

    1. Whole checkouts at once: the units are reserved when the line is added, so one buyer
       gets the unit and the others are refused then or at completion.
    2. Completion only: every buyer holds a checkout of the variant whose reservation has
       expired, and stock is down to 1; all complete at once: the row lock lets one through.
    """
    results = []
    set_stock(url, variant_id, 1)
    refusals: dict[str, int] = {}
    lock = threading.Lock()
    orders_before = orders_of_variant(url, variant_id)

    def whole(api: Api, index: int) -> None:
        try:
            token = checkout_prepare(api, [(variant_id, 1)])
        except Refused as refused:
            with lock:
                refusals[refused.code] = refusals.get(refused.code, 0) + 1
            return
        _, _, number, code = checkout_complete(api, token)
        if code:
            with lock:
                refusals[code] = refusals.get(code, 0) + 1

    run_clients(clients, whole, port)
    results.append(
        RaceResult(
            "whole checkouts",
            orders_of_variant(url, variant_id) - orders_before,
            stock_of(url, variant_id),
            refusals,
        )
    )

    # Race 2: everyone's checkout is ready while there is stock for each...
    expire_reservations(url, variant_id)
    set_stock(url, variant_id, clients)
    api = Api(port)
    try:
        tokens = [checkout_prepare(api, [(variant_id, 1)]) for _ in range(clients)]
    finally:
        api.close()
    # ...then their reservations lapse and all but one unit is sold elsewhere.
    expire_reservations(url, variant_id)
    set_stock(url, variant_id, 1)
    orders_before = orders_of_variant(url, variant_id)
    refusals2: dict[str, int] = {}

    def complete_only(api: Api, index: int) -> None:
        _, _, number, code = checkout_complete(api, tokens[index])
        if code:
            with lock:
                refusals2[code] = refusals2.get(code, 0) + 1

    run_clients(clients, complete_only, port)
    results.append(
        RaceResult(
            "checkoutComplete only",
            orders_of_variant(url, variant_id) - orders_before,
            stock_of(url, variant_id),
            refusals2,
        )
    )
    return results


# --- Database checks --------------------------------------------------------------------------


def orders_reset(url: str) -> None:
    """Remove earlier runs' orders and checkouts (orders keep their sellers from being deleted
    when seed_demo resets the catalogue)."""
    with psycopg.connect(url) as conn:
        conn.execute("TRUNCATE orders_order, orders_checkout CASCADE")


def set_stock(url: str, variant_id: int, stock: int) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE catalog_productvariant SET stock_quantity = %s WHERE id = %s",
            [stock, variant_id],
        )


def expire_reservations(url: str, variant_id: int) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE orders_stockreservation SET expires_at = now() - interval '1 second'"
            " WHERE variant_id = %s",
            [variant_id],
        )


def stock_of(url: str, variant_id: int) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT stock_quantity FROM catalog_productvariant WHERE id = %s", [variant_id]
        ).fetchone()[0]


def orders_of_variant(url: str, variant_id: int) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(DISTINCT p.order_id) FROM orders_orderline l"
            " JOIN orders_orderpart p ON p.id = l.part_id WHERE l.variant_id = %s",
            [variant_id],
        ).fetchone()[0]


def oversell_check(url: str, pool: dict[int, list[int]], answered: int) -> OversellCheck:
    """For every benchmark variant: units sold (order lines) == stock before − stock after."""
    variant_ids = [v for vs in pool.values() for v in vs]
    mismatches, total = [], 0
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT v.id, v.stock_quantity, coalesce(sum(l.quantity), 0) FROM"
            " catalog_productvariant v LEFT JOIN orders_orderline l ON l.variant_id = v.id"
            " WHERE v.id = ANY(%s) GROUP BY v.id",
            [variant_ids],
        ).fetchall()
        orders = conn.execute("SELECT count(*) FROM orders_order").fetchone()[0]
    for variant_id, stock_after, sold in rows:
        total += sold
        if stock_after < 0 or POOL_STOCK - stock_after != sold:
            mismatches.append(
                f"variant {variant_id}: stock {POOL_STOCK} → {stock_after}, {sold} sold"
            )
    return OversellCheck(len(rows), total, mismatches, orders, answered)


# --- Output -----------------------------------------------------------------------------------


def print_phase(phase: Phase) -> None:
    targets = []
    if phase.clients == 1:
        targets.append(
            f"median ≤ {TARGET_SEQUENTIAL_MEDIAN_MS:.0f} ms "
            f"{verdict(phase.median <= TARGET_SEQUENTIAL_MEDIAN_MS)}"
        )
    else:
        targets.append(
            f"≥ {TARGET_CONCURRENT_PER_SECOND:.0f}/s "
            f"{verdict(phase.per_second >= TARGET_CONCURRENT_PER_SECOND)}"
        )
    refused = (
        f", {len(phase.refused)} refused ({', '.join(sorted(set(phase.refused)))})"
        if phase.refused
        else ""
    )
    print(
        f"   {phase.label:<22} {len(phase.orders)} orders in {phase.wall_seconds:.1f} s = "
        f"{phase.per_second:5.1f}/s  checkoutComplete median {phase.median:6.1f} ms  "
        f"p95 {phase.p95:6.1f} ms  SQL {min(phase.sql_counts)}/{max(phase.sql_counts)}"
        f"{refused}   [{'; '.join(targets)}]",
        flush=True,
    )


def summary(results: Results, args) -> str:
    phases, check, races = results.phases, results.check, results.races
    lines = [
        f"{args.requests} checkouts per phase (3 lines from 2 sellers, Berlin, EUR, cheapest "
        f"delivery), prepared untimed; gunicorn {args.workers} sync workers; clients on the "
        "same machine.",
        "",
        "| phase | clients | checkouts/s | checkoutComplete median ms | p95 ms | SQL / complete |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for p in phases:
        sql = (
            str(min(p.sql_counts))
            if min(p.sql_counts) == max(p.sql_counts)
            else f"{min(p.sql_counts)}–{max(p.sql_counts)}"
        )
        lines.append(
            f"| {p.label} | {p.clients} | {p.per_second:.1f} | {p.median:.1f} "
            f"| {p.p95:.1f} | {sql} |"
        )
    lines += ["", "| target | figure | met |", "|---|---|---|"]
    seq = next((p for p in phases if p.clients == 1), None)
    conc = next((p for p in phases if p.clients > 1), None)
    lines.append(
        f"| median checkoutComplete ≤ {TARGET_SEQUENTIAL_MEDIAN_MS:.0f} ms sequential "
        + (
            f"| {seq.median:.1f} ms | {verdict(seq.median <= TARGET_SEQUENTIAL_MEDIAN_MS)} |"
            if seq
            else "| — | not run |"
        )
    )
    lines.append(
        f"| ≥ {TARGET_CONCURRENT_PER_SECOND:.0f} completed checkouts/s with "
        f"{TARGET_CONCURRENT_CLIENTS} clients "
        + (
            f"| {conc.per_second:.1f}/s ({conc.clients} clients) "
            f"| {verdict(conc.per_second >= TARGET_CONCURRENT_PER_SECOND)} |"
            if conc
            else "| — | not run |"
        )
    )
    if check is not None:
        lines.append(
            f"| zero oversell | {check.units_sold} units sold over {check.variants} "
            f"variants, {len(check.mismatches)} mismatches; {check.orders_in_database} "
            f"orders in the database for {check.orders_answered} answered "
            f"| {verdict(check.ok)} |"
        )
    for race in races:
        lines.append(
            f"| last unit, {TARGET_CONCURRENT_CLIENTS} buyers ({race.label}): one order "
            f"| {race.orders} order(s), stock {race.stock_after}, refused: "
            f"{race_refusals(race)} | {verdict(race.ok)} |"
        )
    return "\n".join(lines)


def race_refusals(race: RaceResult) -> str:
    return ", ".join(f"{n} {code}" for code, n in sorted(race.refusals.items())) or "none"


# --- Main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_CHECKOUT_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL URL (default: $BENCH_CHECKOUT_DATABASE_URL or "
        "%(default)s); the database is created if missing and RESEEDED",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=200,
        help="checkouts completed per phase (default %(default)s)",
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=TARGET_CONCURRENT_CLIENTS,
        help="concurrent clients of the second phase and the races (default %(default)s)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=10,
        help="checkouts completed before timing (default %(default)s)",
    )
    parser.add_argument(
        "--products", type=int, default=320, help="seed_demo catalogue size (default %(default)s)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default %(default)s)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 40 checkouts per phase, 4 warm-up"
    )
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args(argv)
    if args.quick:
        args.requests, args.warmup = 40, 4
    if args.requests < 1 or args.clients < 1 or args.warmup < 0:
        parser.error("--requests and --clients must be ≥ 1, --warmup ≥ 0")
    return args


def setup(env: dict, args) -> dict:
    """Migrate, reseed, delivery tables, the benchmark's variants; the setup facts."""
    url = env["DATABASE_URL"]
    print("== migrate, seed", flush=True)
    run_manage(env, "migrate", "--noinput")
    orders_reset(url)
    _, output = run_manage(
        env, "seed_demo", "--reset", "--products", str(args.products), "--seed", str(args.seed)
    )
    print(f"   seed_demo: {output.splitlines()[-1] if output else '(no output)'}")
    _, output = run_manage(
        env,
        "shell",
        "-c",
        SETUP_SCRIPT
        % {"sellers": POOL_SELLERS, "per_seller": POOL_VARIANTS_PER_SELLER, "stock": POOL_STOCK},
    )
    facts = json.loads(output.splitlines()[-1])
    facts["pool"] = {int(s): vs for s, vs in facts["pool"].items()}
    if not facts["delivery_tables"]:
        raise BenchError(
            "no shipping zone serves DE: the benchmark needs "
            "market.demo.delivery.demo_delivery_create() (or seed_demo) to create the demo's "
            "delivery tables"
            + (
                ""
                if facts["demo_delivery_create"]
                else " — market/demo/delivery.py does not exist yet"
            )
        )
    if len(facts["pool"]) < 2 or facts["race_variant"] is None:
        raise BenchError("the demo catalogue has too few exportable sellers: raise --products")
    print(
        f"   {sum(len(v) for v in facts['pool'].values())} variants of "
        f"{len(facts['pool'])} sellers, stock {POOL_STOCK:,} each; race variant "
        f"{facts['race_variant']}"
    )
    print(f"   VACUUM (ANALYZE) in {vacuum_analyze(url):.1f} s")
    return facts


def run(args, env: dict, workdir: Path, results: Results) -> None:
    url = env["DATABASE_URL"]
    facts = setup(env, args)
    pool = facts["pool"]
    answered: set[str] = set()  # order numbers the API gave
    server = Server(env, workdir, args.workers)
    try:
        server.wait_ready()
        print(f"== gunicorn on 127.0.0.1:{server.port}, workers {server.worker_pids()}", flush=True)
        missing = api_missing(server.port)
        if missing:
            raise BenchError(
                "the GraphQL API lacks what the benchmark needs: " + ", ".join(missing)
            )
        if args.warmup:
            tokens, _ = prepare(args.warmup, pool, server.port, 1, args.seed + 1)
            answered.update(complete_all(tokens, Phase("warm-up", 1), server.port).orders)
        for label, clients in (("sequential", 1), (f"{args.clients} clients", args.clients)):
            tokens, prep_seconds = prepare(
                args.requests, pool, server.port, args.clients, args.seed + clients
            )
            print(
                f"   {label}: {len(tokens)} checkouts prepared in {prep_seconds:.1f} s "
                f"({len(tokens) / prep_seconds:.1f}/s by {args.clients} clients: "
                "create, delivery options, a method per seller)",
                flush=True,
            )
            results.phases.append(complete_all(tokens, Phase(label, clients), server.port))
            answered.update(results.phases[-1].orders)
            print_phase(results.phases[-1])
        # The same key again answers with the same order instead of making a second one.
        api = Api(server.port)
        try:
            token = prepare(1, pool, server.port, 1, args.seed)[0][0]
            first = checkout_complete(api, token, key=f"bench-replay-{token}")[2]
            again = checkout_complete(api, token, key=f"bench-replay-{token}")[2]
        finally:
            api.close()
        answered.update(number for number in (first, again) if number)
        print(
            f"   checkoutComplete replayed with its key: order {first}, then {again} "
            f"[same order {verdict(first is not None and first == again)}]"
        )
        results.check = check = oversell_check(url, pool, len(answered))
        print(
            f"== oversell: {check.units_sold} units sold over {check.variants} variants, "
            f"{len(check.mismatches)} mismatches, {check.orders_in_database} orders in the "
            f"database for {check.orders_answered} answered [zero oversell "
            f"{verdict(check.ok)}]"
        )
        for mismatch in check.mismatches[:10]:
            print(f"   {mismatch}")
        for race in last_unit_races(facts["race_variant"], url, server.port, args.clients):
            results.races.append(race)
            print(
                f"== last unit, {args.clients} buyers ({race.label}): {race.orders} order(s), "
                f"stock {race.stock_after}, refused: {race_refusals(race)} "
                f"[exactly one order {verdict(race.ok)}]"
            )
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = staging_env(args.database_url, MARKET_QUERY_COUNT_HEADER="true")
    results = Results()
    with tempfile.TemporaryDirectory(prefix="market-bench-checkout-") as workdir:
        env["MARKET_VAR_DIR"] = str(Path(workdir) / "var")
        try:
            ensure_database(args.database_url)
            print(
                f"Checkout benchmark: PostgreSQL {server_version(args.database_url)} at "
                f"{urlsplit(args.database_url).netloc}/{database_name(args.database_url)}, "
                f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
                f"gunicorn {args.workers} sync workers"
            )
            run(args, env, Path(workdir), results)
        except (BenchError, psycopg.Error, OSError) as error:
            print(f"\nbenchmark aborted: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
        finally:
            if results.phases:
                print("\n== Summary (paste into docs/performance.md)\n")
                print(summary(results, args))
            if args.drop:
                drop_database(args.database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Load benchmark: many visitors at once, a realistic mix, against the production processes.

With ``--start`` (the default) it migrates a benchmark database on PostgreSQL, seeds the demo
catalogue when it is empty, and starts what production runs: gunicorn with the repository's
``gunicorn.conf.py`` and a Celery worker, on PostgreSQL and Redis, on the loopback. With
``--url`` it drives a server that is already running instead. Then, for each stage (10, 50
and 200 users by default), every user is a client that sends one request after another for
``--duration`` seconds. The mix's percentages are of **requests** (what a load test's mix
usually means, and what the server sees): a checkout and payment is a flow of about six
requests, so a user starts one about once in 120 choices, and 5 % of all requests are the
checkout's. ``--mix-of visits`` makes them percentages of what users choose to do next
instead (a checkout flow once in 20 choices: about a fifth of the requests are then
checkout requests). The printed "share" column says what each kind's share of requests was.
The kinds:

- browsing, 70 %: a catalogue page (the storefront's ``Catalogue`` document) of a category,
  sorted, filtered to what is in stock or in a price band, in one of three currencies, page 1
  to 3 (the later pages are fewer: most visitors stop at the first);
- search, 15 %: the catalogue page searching for one of a few dozen words;
- product pages, 10 %: the storefront's ``Product`` document for a product, popular ones more
  often (Zipf);
- checkout and payment, 5 %: ``checkoutCreate`` (a line, addresses), ``checkoutQuote``, the
  cheapest delivery per seller, ``checkoutComplete``, ``orderPaymentCreate`` with the dummy
  gateway's test card. Half of the checkouts also take the last units of a few low-stock
  variants, so that overselling would show; "sold out" answers are refusals, not errors.

It prints, per stage and kind: requests per second, p50/p95/p99 latency and errors, and the
catalogue's total (browsing, search and product pages) next to the target; at the end it
checks in SQL that no variant was oversold: stock never below zero, and for every variant the
checkouts bought, units in order lines == stock before − stock after. It stops by itself, and
stops what it started, also after an error or Ctrl-C. It asserts nothing.

    .venv/bin/python bench/load.py                          # 10, 50, 200 users, 20 s each
    .venv/bin/python bench/load.py --quick                  # smoke run: 10 users, 5 s
    .venv/bin/python bench/load.py --catalogue-only --users 50 --worker-class gthread
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000/graphql/

See bench/README.md for every option and what the figures mean.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psycopg

# The other benchmarks' database and process helpers (this folder is on sys.path).
from catalogue import (
    BenchError,
    database_name,
    ensure_database,
    free_port,
    gunicorn_has_setting,
    percentile,
    run_manage,
    server_version,
    staging_env,
    vacuum_analyze,
)

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "graphql" / "operations" / "storefront"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/market_bench_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"

# Targets from the issue; printed next to the figures, never asserted.
TARGET_CATALOGUE_PER_SECOND = 300.0
TARGET_CATALOGUE_P95_MS = 300.0
TARGET_USERS = 50

MIX = {"browsing": 70, "search": 15, "product": 10, "checkout": 5}
CATALOGUE_KINDS = ("browsing", "search", "product")
# Requests of one flow of each kind before the stage has measured it (checkout: create, quote,
# a delivery per seller, complete, pay).
REQUESTS_GUESS = {"browsing": 1.0, "search": 1.0, "product": 1.0, "checkout": 6.0}
# Visitors are not uniform: most see the first pages in the base currency; categories and
# products are chosen by popularity (Zipf: the n-th is 1/n as likely as the first).
CURRENCIES = [None, "EUR", "USD"]
CURRENCY_WEIGHTS = [7, 2, 1]
SORTS = [{"field": "PRICE"}, {"field": "PRICE", "direction": "DESC"}, {"field": "NAME"}]
SEARCH_WORDS = (
    "carpet vase ceramic silk print bowl jug plate copper wool kilim tile poster lamp scarf "
    "music album game track mix animation portrait landscape miniature glass wood jewel ring "
    "necklace icon calligraphy tea"
).split()
CLIENT_KEEPALIVE_SECONDS = 15.0
POOL_STOCK = 1_000_000  # the checkouts' ordinary variants never run out
SCARCE_VARIANTS = 4
SCARCE_STOCK = 25  # the low-stock variants half of the checkouts contend for
TEST_CARD = "4242424242424242"  # the dummy gateway's card that pays
BERLIN = {
    "name": "Lena Hoffmann",
    "streetAddress1": "Torstraße 1",
    "city": "Berlin",
    "postalCode": "10119",
    "country": "DE",
    "phone": "+49 30 1234567",
}

CATALOGUE = (OPERATIONS / "Catalogue.graphql").read_text()
PRODUCT = (OPERATIONS / "Product.graphql").read_text()
PAGE_CURSORS = """
query LoadPages { products(first: 24) { pageInfo { endCursor } } }
"""
PAGE_CURSORS_AFTER = """
query LoadPagesAfter($after: String) { products(first: 24, after: $after) {
  pageInfo { endCursor } } }
"""
CHECKOUT_CREATE = """
mutation LoadCheckoutCreate($input: CheckoutCreateInput!) {
  checkoutCreate(input: $input) { checkout { token } errors { field code message } }
}
"""
CHECKOUT_QUOTE = """
query LoadCheckoutQuote($token: UUID!) {
  checkoutQuote(token: $token) {
    parts { seller { id } deliveryOptions { shippingMethod { id } price { amount } } }
  }
}
"""
CHECKOUT_DELIVERY = """
mutation LoadCheckoutDelivery($token: UUID!, $sellerId: ID!, $shippingMethodId: ID!) {
  checkoutDeliveryMethodUpdate(token: $token, sellerId: $sellerId,
                               shippingMethodId: $shippingMethodId) {
    errors { field code message }
  }
}
"""
CHECKOUT_COMPLETE = """
mutation LoadCheckoutComplete($token: UUID!, $idempotencyKey: String!) {
  checkoutComplete(token: $token, idempotencyKey: $idempotencyKey) {
    order { token } errors { field code message }
  }
}
"""
ORDER_PAY = (OPERATIONS / "OrderPay.graphql").read_text()
SOLD_OUT = {"OUT_OF_STOCK", "INSUFFICIENT_STOCK"}

# Run inside ``manage.py shell``: delivery tables, the variants the checkouts buy (an ample
# pool, and a few scarce ones), the catalogue's categories and product slugs; one JSON line.
SETUP_SCRIPT = """
import json
from django.db import transaction
from market.catalog.models import Category, ProductVariant
from market.catalog.selectors import product_list_published
from market.core.catalogue_cache import catalogue_changed
from market.demo.delivery import demo_delivery_create
from market.shipping.selectors import shipping_methods_for_country

with transaction.atomic():
    if not shipping_methods_for_country("DE"):
        demo_delivery_create()
    published = product_list_published()
    light = (ProductVariant.objects.filter(product__in=published.filter(is_exportable=True))
             .filter(product__weight_grams__lte=2000).order_by("pk"))
    ids = list(light.values_list("pk", flat=True)[:200])
    pool, scarce = ids[%(scarce)d:], ids[:%(scarce)d]
    ProductVariant.objects.filter(pk__in=pool).update(stock_quantity=%(pool_stock)d)
    ProductVariant.objects.filter(pk__in=scarce).update(stock_quantity=%(scarce_stock)d)
    # Rows changed here bypass the services: drop every kept catalogue answer.
    catalogue_changed(listings=True)
print(json.dumps({
    "pool": pool,
    "scarce": scarce,
    "categories": list(Category.objects.values_list("slug", flat=True)),
    "slugs": list(published.order_by("?").values_list("slug", flat=True)[:3000]),
}))
"""


def global_id(type_name: str, pk: int) -> str:
    import base64

    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


# --- Figures ----------------------------------------------------------------------------------


@dataclass
class Kind:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    refused: int = 0  # checkouts refused because the last units were gone
    requests: int = 0  # HTTP requests (a checkout is several)
    started: int = 0  # flows begun (a checkout's create … pay is one)
    hits: int = 0  # answered from the catalogue cache (X-Catalogue-Cache: hit)
    error_samples: list[str] = field(default_factory=list)

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 3:
            self.error_samples.append(text[:300])


@dataclass
class Stage:
    users: int
    mix_of: str = "requests"
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds during the stage
    kinds: dict[str, Kind] = field(default_factory=lambda: {k: Kind() for k in MIX})

    def weights(self) -> list[float]:
        """How likely each kind is to be chosen next. Of requests: a kind's weight is its
        share divided by the requests one of its flows makes (measured so far in the stage;
        a checkout is about six before any has run)."""
        if self.mix_of == "visits":
            return [float(share) for share in MIX.values()]
        weights = []
        for name, share in MIX.items():
            kind = self.kinds[name]
            per_flow = kind.requests / kind.started if kind.started else REQUESTS_GUESS[name]
            weights.append(share / max(per_flow, 1.0))
        return weights

    def catalogue(self) -> Kind:
        merged = Kind()
        for name in CATALOGUE_KINDS:
            merged.latencies_ms += self.kinds[name].latencies_ms
            merged.errors += self.kinds[name].errors
            merged.hits += self.kinds[name].hits
            merged.requests += self.kinds[name].requests
        return merged


class Refused(Exception):
    pass


# --- The visitors -----------------------------------------------------------------------------


class Visitor:
    """One user: a connection of its own and a random choice of what to do next."""

    def __init__(self, session: aiohttp.ClientSession, url: str, facts: dict, seed: int):
        self.session = session
        self.url = url
        self.facts = facts
        self.rng = random.Random(seed)

    async def call(self, kind: Kind, document: str, variables: dict) -> dict:
        kind.requests += 1
        async with self.session.post(
            self.url, json={"query": document, "variables": variables}
        ) as response:
            body = await response.read()
            if response.headers.get("X-Catalogue-Cache") == "hit":
                kind.hits += 1
        try:
            answer = json.loads(body)
        except ValueError:
            raise BenchError(f"HTTP {response.status}, not JSON: {body[:200]!r}") from None
        if response.status != 200 or answer.get("errors"):
            raise BenchError(f"HTTP {response.status}: {json.dumps(answer.get('errors'))}")
        return answer["data"]

    def currency(self) -> str | None:
        return self.rng.choices(CURRENCIES, weights=CURRENCY_WEIGHTS)[0]

    def popular(self, items: list):
        return items[min(len(items) - 1, int(self.rng.paretovariate(1.0)) - 1)]

    def catalogue_variables(self) -> dict:
        rng = self.rng
        variables: dict = {"currency": self.currency()}
        filters: dict = {}
        if rng.random() < 0.6:
            filters["categorySlugs"] = [self.popular(self.facts["categories"])]
        if rng.random() < 0.1:
            filters["inStock"] = True
        if rng.random() < 0.05:
            filters["priceLte"] = str(rng.choice([50, 100, 200, 500]))
        if filters:
            variables["filter"] = filters
        sort = rng.choice(SORTS) if rng.random() < 0.2 else None
        if sort:
            variables["sortBy"] = sort
        if not filters and not sort:
            page = rng.choices([0, 1, 2], weights=[6, 3, 1])[0]
            if page:
                variables["after"] = self.facts["cursors"][page - 1]
        return {key: value for key, value in variables.items() if value is not None}

    async def browsing(self, kind: Kind) -> None:
        await self.call(kind, CATALOGUE, self.catalogue_variables())

    async def search(self, kind: Kind) -> None:
        variables = {"filter": {"search": self.popular(SEARCH_WORDS)}}
        if currency := self.currency():
            variables["currency"] = currency
        await self.call(kind, CATALOGUE, variables)

    async def product(self, kind: Kind) -> None:
        slug = self.popular(self.facts["slugs"])
        variables = {"slug": slug}
        if currency := self.currency():
            variables["currency"] = currency
        data = await self.call(kind, PRODUCT, variables)
        if data["product"] is None:
            raise BenchError(f"product {slug} not found")

    async def checkout(self, kind: Kind) -> None:
        lines = [(self.rng.choice(self.facts["pool"]), 1)]
        if self.rng.random() < 0.5:
            lines.append((self.rng.choice(self.facts["scarce"]), 1))
        data = await self.call(
            kind,
            CHECKOUT_CREATE,
            {
                "input": {
                    "email": f"load-{uuid.uuid4().hex[:12]}@example.com",
                    "currency": "EUR",
                    "lines": [
                        {"variantId": global_id("ProductVariant", v), "quantity": q}
                        for v, q in lines
                    ],
                    "shippingAddress": BERLIN,
                    "billingAddress": BERLIN,
                }
            },
        )
        self.refused_or_fail("checkoutCreate", data["checkoutCreate"]["errors"])
        token = data["checkoutCreate"]["checkout"]["token"]
        data = await self.call(kind, CHECKOUT_QUOTE, {"token": token})
        for part in data["checkoutQuote"]["parts"]:
            options = part["deliveryOptions"]
            if not options:
                raise BenchError("no delivery option to Berlin")
            cheapest = min(options, key=lambda option: float(option["price"]["amount"]))
            data = await self.call(
                kind,
                CHECKOUT_DELIVERY,
                {
                    "token": token,
                    "sellerId": part["seller"]["id"],
                    "shippingMethodId": cheapest["shippingMethod"]["id"],
                },
            )
            self.refused_or_fail("delivery", data["checkoutDeliveryMethodUpdate"]["errors"])
        data = await self.call(
            kind, CHECKOUT_COMPLETE, {"token": token, "idempotencyKey": f"load-{token}"}
        )
        self.refused_or_fail("checkoutComplete", data["checkoutComplete"]["errors"])
        order_token = data["checkoutComplete"]["order"]["token"]
        data = await self.call(
            kind,
            ORDER_PAY,
            {"token": order_token, "card": TEST_CARD, "idempotencyKey": f"pay-{order_token}"},
        )
        payment = data["orderPaymentCreate"]
        self.refused_or_fail("orderPaymentCreate", payment["errors"])
        if payment["payment"]["status"] not in ("succeeded", "SUCCEEDED"):
            raise BenchError(f"payment {payment['payment']['status']}")

    @staticmethod
    def refused_or_fail(step: str, errors: list[dict]) -> None:
        if not errors:
            return
        if {error["code"] for error in errors} <= SOLD_OUT:
            raise Refused(step)
        raise BenchError(f"{step}: {json.dumps(errors)}")

    async def run(self, stage: Stage, until: float) -> None:
        names = list(MIX)
        while time.monotonic() < until:
            name = self.rng.choices(names, weights=stage.weights())[0]
            kind = stage.kinds[name]
            kind.started += 1
            started = time.perf_counter()
            try:
                await getattr(self, name)(kind)
            except Refused:
                kind.refused += 1
                continue
            except (TimeoutError, BenchError, aiohttp.ClientError, KeyError) as error:
                kind.error(f"{type(error).__name__}: {error}")
                continue
            kind.latencies_ms.append((time.perf_counter() - started) * 1000)


async def run_stage(
    url: str,
    facts: dict,
    users: int,
    duration: float,
    seed: int,
    mix_of: str,
    probe: CpuProbe | None = None,
) -> Stage:
    stage = Stage(users, mix_of=mix_of)
    before = probe.sample() if probe else {}
    timeout = aiohttp.ClientTimeout(total=30)
    # Like a browser or a load balancer: an idle connection is reused only well within the
    # server's keepalive (gunicorn.conf.py: 75 s), never just as the server closes it.
    connector = aiohttp.TCPConnector(
        limit=users, force_close=False, keepalive_timeout=CLIENT_KEEPALIVE_SECONDS
    )
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.monotonic()
        until = started + duration
        visitors = [Visitor(session, url, facts, seed * 1000 + n) for n in range(users)]
        await asyncio.gather(*(visitor.run(stage, until) for visitor in visitors))
        stage.seconds = time.monotonic() - started
    if probe:
        stage.cpu = probe.spent(before, probe.sample())
    return stage


async def page_cursors(url: str) -> list[str]:
    async with aiohttp.ClientSession() as session:
        visitor = Visitor(session, url, {}, 0)
        first = await visitor.call(Kind(), PAGE_CURSORS, {})
        cursor = first["products"]["pageInfo"]["endCursor"]
        second = await visitor.call(Kind(), PAGE_CURSORS_AFTER, {"after": cursor})
        return [cursor, second["products"]["pageInfo"]["endCursor"]]


# --- Where the CPU goes -----------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes() -> dict[int, tuple[int, str, float]]:
    """Every process's (parent, command line, CPU seconds so far), from /proc (Linux)."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{name}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        found[int(name)] = (int(fields[1]), command, cpu)
    return found


def _machine_busy() -> float:
    with open("/proc/stat") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / CLOCK_TICKS  # all but idle and iowait


@dataclass
class CpuProbe:
    """CPU seconds of what serves the benchmark (gunicorn's workers, the Celery worker, the
    PostgreSQL backends of the benchmark's database) and of the whole machine, so that each
    stage can say where the CPU went while other work shares the machine."""

    roots: dict[str, int]  # "gunicorn"/"celery" → the process started
    database: str

    def sample(self) -> dict[str, dict[int, float]]:
        """CPU seconds so far, per kind and process (the machine and the client: pid 0)."""
        processes = _processes()
        children: dict[int, list[int]] = {}
        for pid, (parent, _command, _cpu) in processes.items():
            children.setdefault(parent, []).append(pid)
        figures = {}
        for name, root in self.roots.items():
            pids, todo = [], [root]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                todo += children.get(pid, [])
            figures[name] = {pid: processes[pid][2] for pid in pids if pid in processes}
        figures["PostgreSQL"] = {
            pid: cpu
            for pid, (_parent, command, cpu) in processes.items()
            if command.startswith("postgres: ") and f" {self.database} " in command
        }
        figures["bench client"] = {0: time.process_time()}
        figures["machine"] = {0: _machine_busy()}
        return figures

    @staticmethod
    def spent(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]):
        """CPU seconds per kind between two samples. A process that ended meanwhile (a
        database connection closed) is missing from ``after``: its last seconds are not
        counted, so the figures are a little low, never negative."""
        return {
            name: sum(cpu - before.get(name, {}).get(pid, 0.0) for pid, cpu in pids.items())
            for name, pids in after.items()
        }


# --- The processes ----------------------------------------------------------------------------


class Processes:
    """gunicorn (``gunicorn.conf.py``) and a Celery worker; always stopped by ``stop``."""

    def __init__(self, env: dict, workdir: Path, args):
        self.port = free_port()
        self.procs: list[subprocess.Popen] = []
        self.logs = []
        cmd = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
        cmd += ["--bind", f"127.0.0.1:{self.port}"]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
        if args.worker_class:
            cmd += ["--worker-class", args.worker_class]
            if "uvicorn" in args.worker_class.lower():
                cmd.append("market.asgi:application")  # instead of the conf's WSGI app
        if args.threads:
            cmd += ["--threads", str(args.threads)]
        if gunicorn_has_setting("control_socket_disable"):
            cmd.append("--no-control-socket")
        self._start("gunicorn", cmd, env, workdir)
        worker = [sys.executable, "-m", "celery", "-A", "workers.app", "worker"]
        worker += ["--concurrency", "1", "--loglevel", "WARNING", "-Q", "celery,payouts"]
        self._start("celery", worker, env, workdir)

    def _start(self, name: str, cmd: list[str], env: dict, workdir: Path) -> None:
        log = (workdir / f"{name}.log").open("w")
        self.logs.append((name, log, workdir / f"{name}.log"))
        self.procs.append(
            subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def log_tail(self) -> str:
        return "\n".join(
            f"-- {name}:\n{path.read_text()[-2000:]}" for name, _log, path in self.logs
        )

    def wait_ready(self, url: str, timeout: float = 60.0) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        body = json.dumps({"query": "{ __typename }"}).encode()
        while time.monotonic() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    raise BenchError(f"a process exited early:\n{self.log_tail()}")
            request = urllib.request.Request(
                url, data=body, headers={"Content-Type": "application/json"}
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise BenchError(f"the server did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for _name, log, _path in self.logs:
            log.close()


def setup(env: dict, args) -> dict:
    url = env["DATABASE_URL"]
    run_manage(env, "migrate", "--noinput")
    with psycopg.connect(url) as conn:
        products = conn.execute("SELECT count(*) FROM catalog_product").fetchone()[0]
    if products == 0:
        print(f"== seeding {args.products:,} products", flush=True)
        run_manage(env, "seed_demo", "--products", str(args.products), "--seed", "42")
        print(f"   VACUUM (ANALYZE) in {vacuum_analyze(url):.1f} s")
    with psycopg.connect(url) as conn:
        # Earlier runs' orders and checkouts: the oversell check counts this run's.
        conn.execute("TRUNCATE orders_order, checkout_checkout CASCADE")
    _, output = run_manage(
        env,
        "shell",
        "-c",
        SETUP_SCRIPT
        % {"scarce": SCARCE_VARIANTS, "pool_stock": POOL_STOCK, "scarce_stock": SCARCE_STOCK},
    )
    facts = json.loads(output.splitlines()[-1])
    if len(facts["pool"]) < 10 or len(facts["scarce"]) < SCARCE_VARIANTS:
        raise BenchError("too few light, exportable variants: seed more products")
    return facts


def oversell_check(url: str, facts: dict) -> tuple[list[str], int, int]:
    """(mismatches, units sold, orders) over every variant the checkouts could buy."""
    before = {v: POOL_STOCK for v in facts["pool"]} | {v: SCARCE_STOCK for v in facts["scarce"]}
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT v.id, v.stock_quantity, coalesce(sum(l.quantity), 0) FROM"
            " catalog_productvariant v LEFT JOIN orders_orderline l ON l.variant_id = v.id"
            " WHERE v.id = ANY(%s) GROUP BY v.id",
            [list(before)],
        ).fetchall()
        orders = conn.execute("SELECT count(*) FROM orders_order").fetchone()[0]
    mismatches, sold_total = [], 0
    for variant_id, stock, sold in rows:
        sold_total += sold
        if stock < 0 or before[variant_id] - stock != sold:
            mismatches.append(f"variant {variant_id}: {before[variant_id]} → {stock}, {sold} sold")
    return mismatches, sold_total, orders


# --- Output -----------------------------------------------------------------------------------


def row(name: str, kind: Kind, seconds: float, all_requests: int) -> str:
    lat = kind.latencies_ms
    figures = (
        f"{percentile(lat, 50):.0f} | {percentile(lat, 95):.0f} | {percentile(lat, 99):.0f}"
        if lat
        else "– | – | –"
    )
    refused = f" ({kind.refused} sold out)" if kind.refused else ""
    hits = f"{100 * kind.hits / kind.requests:.0f} %" if kind.hits else "–"
    share = f"{100 * kind.requests / all_requests:.1f} %" if all_requests else "–"
    return (
        f"| {name} | {share} | {len(lat) / seconds:.1f} | {figures} | {hits} "
        f"| {kind.errors}{refused} |"
    )


def print_stage(stage: Stage) -> None:
    all_requests = sum(kind.requests for kind in stage.kinds.values())
    print(
        f"\n### {stage.users} users, {stage.seconds:.0f} s, mix of {stage.mix_of}, "
        f"load average {os.getloadavg()[0]:.1f}\n"
    )
    print("| kind | share of requests | per s | p50 ms | p95 ms | p99 ms | cached | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in MIX:
        if stage.kinds[name].latencies_ms or stage.kinds[name].errors or stage.kinds[name].refused:
            print(row(name, stage.kinds[name], stage.seconds, all_requests))
    print(
        row(
            "**catalogue** (browsing + search + product)",
            stage.catalogue(),
            stage.seconds,
            all_requests,
        )
    )
    if stage.cpu:
        seconds = stage.seconds
        served = sum(kind.requests for kind in stage.kinds.values())
        parts = [
            f"{name} {stage.cpu[name] / seconds:.2f} cores"
            + (f" ({1000 * stage.cpu[name] / served:.1f} ms a request)" if served else "")
            for name in ("gunicorn", "Celery worker", "PostgreSQL", "bench client")
        ]
        print(
            f"\nCPU during the stage: {', '.join(parts)}; the machine was busy "
            f"{stage.cpu['machine'] / seconds:.2f} of {os.cpu_count()} cores (the rest is other "
            "work on the machine and Redis)."
        )
    for name, kind in stage.kinds.items():
        for sample in kind.error_samples:
            print(f"  {name} error: {sample}")


def print_targets(stages: list[Stage]) -> None:
    for stage in stages:
        if stage.users != TARGET_USERS:
            continue
        catalogue = stage.catalogue()
        rate = len(catalogue.latencies_ms) / stage.seconds
        p95 = percentile(catalogue.latencies_ms, 95) if catalogue.latencies_ms else float("inf")
        errors = sum(kind.errors for kind in stage.kinds.values())
        print(f"\nTargets at {TARGET_USERS} users:")
        print(f"- catalogue ≥ {TARGET_CATALOGUE_PER_SECOND:.0f}/s: {rate:.1f}/s")
        print(f"- catalogue p95 ≤ {TARGET_CATALOGUE_P95_MS:.0f} ms: {p95:.0f} ms")
        print(f"- errors: {errors}")


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="drive this running server's /graphql/ (no --start)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_LOAD_DATABASE_URL", DEFAULT_DATABASE_URL),
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        help="the broker; the cache is the next database number",
    )
    parser.add_argument("--products", type=int, default=10_000, help="seeded when empty")
    parser.add_argument("--users", default="10,50,200", help="the stages' users")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per stage")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of warm-up, 10 users")
    parser.add_argument("--workers", type=int, help="gunicorn workers (gunicorn.conf.py's)")
    parser.add_argument("--worker-class", help="sync, gthread, … (gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, help="threads per gthread worker")
    parser.add_argument(
        "--catalogue-only", action="store_true", help="browsing, search and product pages only"
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="CATALOGUE_CACHE_SECONDS=0 in the server"
    )
    parser.add_argument(
        "--mix-of",
        choices=("requests", "visits"),
        default="requests",
        help="the mix's percentages are of requests (default) or of what users choose next",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="10 users for 5 s")
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.duration, args.warmup = "10", 5.0, 2.0
    return args


async def drive(url: str, facts: dict, args, probe: CpuProbe | None = None) -> list[Stage]:
    if args.catalogue_only:
        MIX.pop("checkout", None)
    facts["cursors"] = await page_cursors(url)
    if args.warmup:
        await run_stage(url, facts, 10, args.warmup, seed=0, mix_of=args.mix_of)
    stages = []
    for users in [int(n) for n in args.users.split(",")]:
        stage = await run_stage(
            url,
            facts,
            users,
            args.duration,
            seed=args.seed + users,
            mix_of=args.mix_of,
            probe=probe,
        )
        print_stage(stage)
        stages.append(stage)
    return stages


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = staging_env(args.database_url, REDIS_URL=args.redis_url, PAYMENT_GATEWAY="dummy")
    if args.no_cache:
        env["CATALOGUE_CACHE_SECONDS"] = "0"
    processes = None
    with tempfile.TemporaryDirectory(prefix="market-bench-load-") as workdir:
        env["MARKET_VAR_DIR"] = str(Path(workdir) / "var")
        try:
            ensure_database(args.database_url)
            facts = setup(env, args)
            url = args.url
            if url is None:
                processes = Processes(env, Path(workdir), args)
                url = f"http://127.0.0.1:{processes.port}/graphql/"
                processes.wait_ready(url)
            print(
                f"Load benchmark: PostgreSQL {server_version(args.database_url)} "
                f"({database_name(args.database_url)}), Python {platform.python_version()}, "
                f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; server "
                f"{url}: workers {args.workers or 'conf'}, class "
                f"{args.worker_class or 'conf'}, threads {args.threads or 'conf'}, "
                f"catalogue cache {'off' if args.no_cache else 'on'}",
                flush=True,
            )
            probe = None
            if processes is not None and Path("/proc/stat").exists():
                gunicorn, celery = processes.procs
                probe = CpuProbe(
                    roots={"gunicorn": gunicorn.pid, "Celery worker": celery.pid},
                    database=database_name(args.database_url),
                )
            stages = asyncio.run(drive(url, facts, args, probe))
            print_targets(stages)
            mismatches, sold, orders = oversell_check(args.database_url, facts)
            print(
                f"\nOversell check: {sold} units sold in {orders} orders over "
                f"{len(facts['pool']) + len(facts['scarce'])} variants; "
                + ("none oversold" if not mismatches else "MISMATCHES: " + "; ".join(mismatches))
            )
        except (BenchError, psycopg.Error, OSError) as error:
            print(f"\nbenchmark aborted: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
        finally:
            if processes is not None:
                processes.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

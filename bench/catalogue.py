"""Catalogue read benchmark: the public product listing over HTTP, on PostgreSQL.

For each catalogue size it migrates a benchmark database, seeds it with ``seed_demo``, starts
the production server (gunicorn, sync workers, DEBUG off) and times GraphQL product listings
with one sequential client. It prints figures next to the targets; it asserts nothing.

    .venv/bin/python bench/catalogue.py                 # 320 and 10 000 products
    .venv/bin/python bench/catalogue.py --with-100k     # plus a search-only pass at 100 000
    .venv/bin/python bench/catalogue.py --quick         # smoke run: 320 products, 50 requests

See bench/README.md for every option and what the figures mean.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/market_bench"
SEARCH_WORD = "carpet"  # seed_demo: pile carpets, carpet patterns, Buta Carpet Atelier (~15 %)

# Targets from the issue; printed next to the figures, never asserted.
TARGET_FIRST20_MEDIAN_MS = 12.0
TARGET_FIRST100_MEDIAN_MS = 30.0
TARGET_MAX_SQL = 6
TARGET_SCALE_RATIO = 1.5  # the largest size's median within 1.5x of the smallest's
TARGET_SEARCH_P95_MS = 50.0  # at 100 000 products
TARGET_SEARCH_P95_SIZE = 100_000
TARGET_WORKER_RSS_MB = 150.0  # after 1 000 requests to a worker

PRODUCTS_QUERY = """
query CatalogueBench($first: Int!, $filter: ProductFilterInput) {
  products(first: $first, filter: $filter, currency: "EUR") {
    edges {
      node {
        id
        name
        slug
        priceRange { start { amount currency } stop { amount currency } }
        thumbnail { thumbnailUrl }
        category { name }
        seller { name }
        variants { id sku quantityAvailable }
      }
    }
  }
}
"""


@dataclass(frozen=True)
class BenchQuery:
    key: str
    label: str
    variables: dict
    median_target_ms: float | None = None


def bench_queries(search_word: str) -> list[BenchQuery]:
    return [
        BenchQuery(
            "first20",
            'products(first: 20, currency: "EUR")',
            {"first": 20},
            TARGET_FIRST20_MEDIAN_MS,
        ),
        BenchQuery(
            "first100",
            'products(first: 100, currency: "EUR")',
            {"first": 100},
            TARGET_FIRST100_MEDIAN_MS,
        ),
        BenchQuery(
            "search",
            f'products(first: 20, filter: {{search: "{search_word}"}}, …)',
            {"first": 20, "filter": {"search": search_word}},
        ),
    ]


SHORT_NAMES = {"first20": "first: 20", "first100": "first: 100", "search": "search"}


@dataclass
class QueryResult:
    query: BenchQuery
    latencies_ms: list[float]
    sql_counts: list[int]
    bytes_per_response: int

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 95)


@dataclass
class SizeResult:
    size: int
    published: int
    search_matches: int
    seed_seconds: float | None
    results: dict[str, QueryResult] = field(default_factory=dict)
    worker_rss_mb: dict[int, float] = field(default_factory=dict)
    worker_requests: dict[int, int] = field(default_factory=dict)
    memory_check: dict[int, tuple[int, float]] | None = None  # pid -> (requests, RSS MB)


class BenchError(RuntimeError):
    pass


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the value below which ``pct`` % of the samples fall."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil without floats
    return ordered[int(rank) - 1]


# --- Database -------------------------------------------------------------------------------


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def admin_url(url: str) -> str:
    """The same server, the ``postgres`` maintenance database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))


def ensure_database(url: str) -> None:
    name = database_name(url)
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def drop_database(url: str) -> None:
    name = database_name(url)
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    print(f"dropped database {name}")


def server_version(url: str) -> str:
    with psycopg.connect(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def vacuum_analyze(url: str) -> float:
    """Fresh planner statistics, as autovacuum would give a live database; the seconds."""
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


def catalogue_facts(url: str, search_word: str) -> tuple[int, int]:
    """(published products, published products the search word matches)."""
    with psycopg.connect(url) as conn:
        published = conn.execute(
            "SELECT count(*) FROM catalog_product p JOIN sellers_seller s ON s.id = p.seller_id"
            " WHERE p.status = 'published' AND s.status = 'approved'"
        ).fetchone()[0]
        matches = conn.execute(
            "SELECT count(*) FROM catalog_product WHERE status = 'published'"
            " AND search_vector @@ websearch_to_tsquery('english', %s)",
            [search_word],
        ).fetchone()[0]
    return published, matches


# --- Processes ------------------------------------------------------------------------------


def run_manage(env: dict, *args: str) -> tuple[float, str]:
    """Run ``manage.py`` with the benchmark's environment: (seconds it took, its output)."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise BenchError(
            f"manage.py {' '.join(args)} failed ({completed.returncode}):\n"
            f"{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
        )
    return time.perf_counter() - started, completed.stdout.strip()


def staging_env(database_url: str, **overrides: str) -> dict[str, str]:
    """The environment of the processes a benchmark starts: production settings (DEBUG off,
    also while seeding: DEBUG keeps every SQL statement in memory) on ``database_url``, as a
    staging demo over plain HTTP on the loopback. DEBUG off refuses demo secrets and test
    payments, so the secret is fresh and test payments are allowed explicitly."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="market.settings",
        DATABASE_URL=database_url,
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SECURE_SSL_REDIRECT="false",
        PAYMENT_ALLOW_TEST_PAYMENTS="true",
        STRIPE_SECRET_KEY="sk_test_bench",
        STRIPE_WEBHOOK_SECRET="whsec_bench",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_pids(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("PPid:"):
                if int(line.split()[1]) == parent:
                    pids.append(int(entry.name))
                break
    return sorted(pids)


def gunicorn_has_setting(name: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(setting.name == name for setting in KNOWN_SETTINGS)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024  # kB
    raise BenchError(f"no VmRSS for process {pid}")


class Server:
    """gunicorn serving ``market.wsgi`` as in production; always stopped by ``stop``."""

    def __init__(self, env: dict, workdir: Path, workers: int):
        self.port = free_port()
        self.access_log = workdir / f"access-{self.port}.log"
        self.error_log = workdir / f"gunicorn-{self.port}.log"
        self.workers = workers
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "market.wsgi:application",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{self.port}",
            # The worker's pid per request, to count requests per worker for the memory check.
            "--access-logfile",
            str(self.access_log),
            "--access-logformat",
            "%(p)s %(s)s",
        ]
        if gunicorn_has_setting("control_socket_disable"):
            cmd.append("--no-control-socket")  # gunicorn ≥ 25 would open one in ~/.gunicorn
        self._log = self.error_log.open("w")
        self.process = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        body = json.dumps({"query": "{ __typename }"}).encode()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited ({self.process.returncode}):\n{self.log()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("POST", "/graphql/", body, {"Content-Type": "application/json"})
                if conn.getresponse().status == 200 and len(self.worker_pids()) == self.workers:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.1)
        raise BenchError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log()}")

    def worker_pids(self) -> list[int]:
        return child_pids(self.process.pid)

    def requests_per_worker(self) -> Counter:
        counts: Counter = Counter()
        if self.access_log.exists():
            for line in self.access_log.read_text().splitlines():
                pid = line.partition(" ")[0].strip("<>")  # %(p)s is "<pid>"
                if pid.isdigit():
                    counts[int(pid)] += 1
        return counts

    def log(self) -> str:
        self._log.flush()
        return self.error_log.read_text()[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


# --- HTTP client ----------------------------------------------------------------------------


class Client:
    """One persistent ``http.client`` connection, reopened when the server closes it.

    gunicorn's sync workers answer ``Connection: close``, so in practice each request opens a
    new loopback connection; that cost (tens of microseconds) is part of the figures.
    """

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def post(self, payload: bytes) -> tuple[float, int, dict, bytes]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        for attempt in range(2):
            try:
                started = time.perf_counter()
                self.conn.request("POST", "/graphql/", payload, headers)
                response = self.conn.getresponse()
                body = response.read()
                elapsed_ms = (time.perf_counter() - started) * 1000
                return elapsed_ms, response.status, dict(response.getheaders()), body
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # a stale kept-alive connection: retry once on a fresh one
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


def checked(query: BenchQuery, status: int, headers: dict, body: bytes) -> int:
    """Validate one response; the number of SQL queries it reports."""
    try:
        data = json.loads(body)
    except ValueError:
        raise BenchError(f"{query.label}: HTTP {status}, not JSON: {body[:500]!r}") from None
    if status != 200 or data.get("errors"):
        raise BenchError(
            f"{query.label}: HTTP {status}, errors: "
            f"{json.dumps(data.get('errors'), indent=2)[:2000]}"
        )
    edges = ((data.get("data") or {}).get("products") or {}).get("edges")
    if not edges:
        raise BenchError(f"{query.label}: no products in the answer: {body[:500]!r}")
    count = {k.lower(): v for k, v in headers.items()}.get("x-sql-queries")
    if count is None:
        raise BenchError("no X-SQL-Queries header: is MARKET_QUERY_COUNT_HEADER honoured?")
    return int(count)


def payload_of(query: BenchQuery) -> bytes:
    return json.dumps(
        {"query": PRODUCTS_QUERY, "variables": query.variables, "operationName": "CatalogueBench"}
    ).encode()


def time_query(client: Client, query: BenchQuery, *, warmup: int, requests: int) -> QueryResult:
    payload = payload_of(query)
    for _ in range(warmup):
        checked(query, *client.post(payload)[1:])
    latencies, sql_counts, size = [], [], 0
    for _ in range(requests):
        elapsed_ms, status, headers, body = client.post(payload)
        sql_counts.append(checked(query, status, headers, body))
        latencies.append(elapsed_ms)
        size = len(body)
    return QueryResult(query, latencies, sql_counts, size)


def warm_every_worker(
    server: Server, client: Client, queries: list[BenchQuery], per_worker: int = 3
) -> None:
    """Until each worker has answered a few listings: a worker's first request builds the
    schema and opens its database connection (plus django.contrib.postgres's type lookups),
    which are start-up costs, not the steady state measured here."""
    payloads = [(q, payload_of(q)) for q in queries]
    for _ in range(100 * server.workers):
        counts = server.requests_per_worker()
        if all(counts.get(pid, 0) >= per_worker for pid in server.worker_pids()):
            return
        for query, payload in payloads:
            checked(query, *client.post(payload)[1:])
    print("   note: not every worker got a warm-up request")


def memory_check(
    server: Server, client: Client, queries: list[BenchQuery], per_worker: int
) -> dict[int, tuple[int, float]]:
    """Send more requests until every worker has served ``per_worker`` (or the busiest has
    and the total reached twice ``per_worker`` per worker: the kernel, not us, picks the worker
    for each connection). Returns each worker's (requests served, RSS MB)."""
    payloads = [(q, payload_of(q)) for q in queries]
    cap = 2 * per_worker * server.workers
    sent = 0
    while True:
        counts = server.requests_per_worker()
        served = [counts.get(pid, 0) for pid in server.worker_pids()]
        if not served:
            raise BenchError(f"gunicorn has no workers left:\n{server.log()}")
        if min(served) >= per_worker or (max(served) >= per_worker and sum(served) >= cap):
            break
        for query, payload in payloads:
            checked(query, *client.post(payload)[1:])
            sent += 1
        if sent > cap:
            break  # never loop forever (e.g. on an access log that stays empty)
    counts = server.requests_per_worker()
    return {pid: (counts.get(pid, 0), rss_mb(pid)) for pid in server.worker_pids()}


# --- One catalogue size -----------------------------------------------------------------------


def bench_size(
    size: int, query_keys: list[str], args, env: dict, workdir: Path, memory_requests: int | None
) -> SizeResult:
    seed_seconds = None
    if args.no_seed:
        print("\n== existing catalogue (no seeding)")
    else:
        print(f"\n== {size:,} products: migrate, seed", flush=True)
        run_manage(env, "migrate", "--noinput")
        seed_seconds, output = run_manage(
            env, "seed_demo", "--reset", "--products", str(size), "--seed", str(args.seed)
        )
        print(f"   seed_demo: {output.splitlines()[-1] if output else '(no output)'}")
        if args.analyze:
            print(f"   VACUUM (ANALYZE) in {vacuum_analyze(env['DATABASE_URL']):.1f} s")
    published, matches = catalogue_facts(env["DATABASE_URL"], args.search)
    result = SizeResult(size if not args.no_seed else published, published, matches, seed_seconds)
    seeded = f"seeded in {seed_seconds:.1f} s, " if seed_seconds is not None else ""
    print(f"   {published:,} published products ({seeded}{matches:,} match {args.search!r})")
    if not args.no_seed and published != size:
        print(
            f"   note: {size:,} listings asked for, {published:,} published "
            "(seed_demo leaves a few drafts)"
        )
    if not matches and "search" in query_keys:
        raise BenchError(f"no published product matches {args.search!r}: choose --search")

    server = Server(env, workdir, args.workers)
    client = Client(server.port)
    try:
        server.wait_ready()
        print(f"   gunicorn on 127.0.0.1:{server.port}, workers {server.worker_pids()}", flush=True)
        queries = [q for q in bench_queries(args.search) if q.key in query_keys]
        warm_every_worker(server, client, queries)
        for query in queries:
            result.results[query.key] = time_query(
                client, query, warmup=args.warmup, requests=args.requests
            )
            print_query(result.results[query.key], size=result.size)
        counts = server.requests_per_worker()
        result.worker_requests = {pid: counts.get(pid, 0) for pid in server.worker_pids()}
        result.worker_rss_mb = {pid: rss_mb(pid) for pid in server.worker_pids()}
        print(
            "   worker RSS after the run: "
            + workers_text(
                {pid: (result.worker_requests[pid], mb) for pid, mb in result.worker_rss_mb.items()}
            )
        )
        if memory_requests:
            result.memory_check = memory_check(server, client, queries, memory_requests)
            peak = max(mb for _, mb in result.memory_check.values())
            print(
                f"   memory check (≥ {memory_requests:,} requests to a worker): "
                f"{workers_text(result.memory_check)}  "
                f"[RSS ≤ {TARGET_WORKER_RSS_MB:.0f} MB {verdict(peak <= TARGET_WORKER_RSS_MB)}]"
            )
    finally:
        client.close()
        server.stop()
    return result


# --- Output ---------------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return {True: "ok", False: "MISSED", None: "-"}[ok]


def workers_text(workers: dict[int, tuple[int, float]]) -> str:
    return ", ".join(
        f"pid {pid}: {mb:.1f} MB after {n:,} requests" for pid, (n, mb) in sorted(workers.items())
    )


def print_query(r: QueryResult, *, size: int) -> None:
    targets = []
    if r.query.median_target_ms is not None:
        targets.append(
            f"median ≤ {r.query.median_target_ms:.0f} ms "
            f"{verdict(r.median <= r.query.median_target_ms)}"
        )
    if r.query.key == "search" and size >= TARGET_SEARCH_P95_SIZE:
        targets.append(
            f"p95 ≤ {TARGET_SEARCH_P95_MS:.0f} ms {verdict(r.p95 <= TARGET_SEARCH_P95_MS)}"
        )
    targets.append(f"SQL ≤ {TARGET_MAX_SQL} {verdict(max(r.sql_counts) <= TARGET_MAX_SQL)}")
    print(
        f"   {r.query.label:<58} median {r.median:6.1f} ms  p95 {r.p95:6.1f} ms  "
        f"SQL {min(r.sql_counts)}/{max(r.sql_counts)}  {r.bytes_per_response / 1024:5.1f} KiB"
        f"   [{'; '.join(targets)}]",
        flush=True,
    )


def summary(sizes: list[SizeResult], args) -> str:
    lines = [
        f"{args.requests} sequential requests per query after {args.warmup} warm-up; "
        f"gunicorn {args.workers} sync workers; one client on the same machine.",
        "",
        "| products | query | median ms | p95 ms | SQL / request | response KiB |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for s in sizes:
        for r in s.results.values():
            counts = (
                str(min(r.sql_counts))
                if min(r.sql_counts) == max(r.sql_counts)
                else f"{min(r.sql_counts)}–{max(r.sql_counts)}"
            )
            lines.append(
                f"| {s.size:,} | `{r.query.label}` | {r.median:.1f} | {r.p95:.1f} "
                f"| {counts} | {r.bytes_per_response / 1024:.1f} |"
            )
    lines += ["", "| target | figure | met |", "|---|---|---|"]
    for line in target_rows(sizes):
        lines.append(line)
    return "\n".join(lines)


def target_rows(sizes: list[SizeResult]) -> list[str]:
    rows = []

    def row(target: str, figure: str, ok: bool | None, missing: str = "not run") -> None:
        rows.append(f"| {target} | {figure} | {verdict(ok) if ok is not None else missing} |")

    for key, target in (
        ("first20", TARGET_FIRST20_MEDIAN_MS),
        ("first100", TARGET_FIRST100_MEDIAN_MS),
    ):
        measured = [(s.size, s.results[key].median) for s in sizes if key in s.results]
        figure = ", ".join(f"{m:.1f} ms at {n:,}" for n, m in measured) or "—"
        ok = all(m <= target for _, m in measured) if measured else None
        row(f"`{SHORT_NAMES[key]}` median ≤ {target:.0f} ms", figure, ok)

    all_sql = [c for s in sizes for r in s.results.values() for c in r.sql_counts]
    row(
        f"≤ {TARGET_MAX_SQL} SQL queries per request",
        f"max {max(all_sql)}" if all_sql else "—",
        max(all_sql) <= TARGET_MAX_SQL if all_sql else None,
    )

    full = [s for s in sizes if "first20" in s.results]
    if len(full) >= 2:
        small, large = full[0], full[-1]
        ratios = {
            SHORT_NAMES[k]: large.results[k].median / small.results[k].median
            for k in small.results
            if k in large.results
        }
        figure = ", ".join(f"{name} {ratio:.2f}×" for name, ratio in ratios.items())
        row(
            f"{large.size:,} within {TARGET_SCALE_RATIO}× of {small.size:,} (median)",
            figure,
            all(v <= TARGET_SCALE_RATIO for v in ratios.values()),
        )
    else:
        row(f"largest size within {TARGET_SCALE_RATIO}× of smallest", "needs two sizes", None)

    big = [s for s in sizes if s.size >= TARGET_SEARCH_P95_SIZE and "search" in s.results]
    if big:
        p95 = big[-1].results["search"].p95
        row(
            f"search p95 ≤ {TARGET_SEARCH_P95_MS:.0f} ms at {TARGET_SEARCH_P95_SIZE:,}",
            f"{p95:.1f} ms at {big[-1].size:,} ({big[-1].search_matches:,} matches)",
            p95 <= TARGET_SEARCH_P95_MS,
        )
    else:
        row(
            f"search p95 ≤ {TARGET_SEARCH_P95_MS:.0f} ms at {TARGET_SEARCH_P95_SIZE:,}",
            "run with --with-100k",
            None,
        )

    checked_sizes = [s for s in sizes if s.memory_check]
    if checked_sizes:
        check = checked_sizes[-1].memory_check
        figure = ", ".join(f"{mb:.0f} MB after {n:,}" for n, mb in check.values())
        busiest = max(n for n, _ in check.values())
        ok = all(mb <= TARGET_WORKER_RSS_MB for _, mb in check.values())
        row(
            f"worker RSS ≤ {TARGET_WORKER_RSS_MB:.0f} MB after 1 000 requests",
            f"{figure} requests (at {checked_sizes[-1].size:,} products)",
            ok if busiest >= 1000 or not ok else None,
            "fewer than 1 000 requests",
        )
    else:
        row(f"worker RSS ≤ {TARGET_WORKER_RSS_MB:.0f} MB after 1 000 requests", "—", None)
    return rows


# --- Main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL URL (default: $BENCH_DATABASE_URL or %(default)s); "
        "the database is created if missing and RESEEDED",
    )
    parser.add_argument(
        "--sizes",
        default="320,10000",
        help="comma-separated catalogue sizes, all queries each (default %(default)s)",
    )
    parser.add_argument(
        "--with-100k", action="store_true", help="add a search-only pass at 100 000 products"
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per query")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up requests per query")
    parser.add_argument(
        "--memory-requests",
        type=int,
        default=1000,
        help="requests a worker serves before the memory check (0: skip)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--search", default=SEARCH_WORD, help="search text (default %(default)s)")
    parser.add_argument(
        "--seed",
        type=int,
        default=42,
        help="seed_demo's random seed (default %(default)s, as seed_demo's)",
    )
    parser.add_argument(
        "--no-seed",
        action="store_true",
        help="benchmark the database as it is (one pass; no migrate, no seed)",
    )
    parser.add_argument(
        "--no-analyze",
        dest="analyze",
        action="store_false",
        help="skip VACUUM (ANALYZE) after seeding: plans on stale statistics",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 320 products, 50 requests, 5 warm-up, memory check after 100",
    )
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.requests, args.warmup = "320", 50, 5
        args.memory_requests = min(args.memory_requests, 100)
    try:
        args.sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s})
    except ValueError:
        parser.error(f"--sizes: not a list of integers: {args.sizes!r}")
    if args.requests < 1 or args.warmup < 0 or not args.sizes:
        parser.error("--requests must be ≥ 1, --warmup ≥ 0 and --sizes not empty")
    return args


def plan(args) -> list[tuple[int, list[str]]]:
    """(size, query keys) per pass; the memory check runs on the largest full pass."""
    everything = ["first20", "first100", "search"]
    if args.no_seed:
        return [(0, everything)]
    passes = [(size, everything) for size in args.sizes]
    if args.with_100k and TARGET_SEARCH_P95_SIZE not in args.sizes:
        passes.append((TARGET_SEARCH_P95_SIZE, ["search"]))
    return passes


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = staging_env(args.database_url, MARKET_QUERY_COUNT_HEADER="true")
    passes = plan(args)
    largest_full = max(size for size, keys in passes if "first20" in keys)
    results: list[SizeResult] = []
    with tempfile.TemporaryDirectory(prefix="market-bench-") as workdir:
        env["MARKET_VAR_DIR"] = str(Path(workdir) / "var")  # media and broker files of the run
        try:
            ensure_database(args.database_url)
            pg_version = server_version(args.database_url)
            print(
                f"Catalogue benchmark: PostgreSQL {pg_version} at "
                f"{urlsplit(args.database_url).netloc}/{database_name(args.database_url)}, "
                f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
                f"gunicorn {args.workers} sync workers"
            )
            for size, keys in passes:
                memory = args.memory_requests if size == largest_full else None
                results.append(bench_size(size, keys, args, env, Path(workdir), memory))
        except (BenchError, psycopg.Error, OSError) as error:
            print(f"\nbenchmark aborted: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
        finally:
            if results:
                print("\n== Summary (paste into docs/performance.md)\n")
                print(summary(results, args))
            if args.drop:
                drop_database(args.database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())

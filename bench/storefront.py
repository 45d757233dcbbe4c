"""Storefront benchmark: the server time of the catalogue and product pages, on PostgreSQL.

It migrates a benchmark database and seeds it with ``seed_demo`` (10 000 products by default,
bulk-created), then, in this process with DEBUG off, requests each page through Django's test
``Client`` (the whole request: middleware, the page's GraphQL operation run in-process,
template rendering, no network) and, beside it, runs the very operation the page ran (same
document, same variables, same request as context) on its own. The difference is what the page
adds to the API: rendering. It also counts each page's SQL statements, and the catalogue
page's at a smaller page size, to show that they do not grow with the page. It prints a table
next to the targets; it asserts nothing.

    .venv/bin/python bench/storefront.py                 # 10 000 products, 200 requests a page
    .venv/bin/python bench/storefront.py --quick         # smoke run: 320 products, 30 requests
    .venv/bin/python bench/storefront.py --no-seed       # reuse the database as it is

See bench/README.md for every option and what the figures mean.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# The catalogue benchmark's database helpers (this folder is on sys.path when the script runs).
from catalogue import (
    ROOT,
    BenchError,
    database_name,
    ensure_database,
    percentile,
    run_manage,
    server_version,
    vacuum_analyze,
    verdict,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/market_bench_storefront"

# Targets from the issue; printed next to the figures, never asserted.
TARGET_CATALOGUE_MEDIAN_MS = 30.0
TARGET_PRODUCT_MEDIAN_MS = 20.0
CATALOGUE_PAGE_SIZE = 24


@dataclass
class Timing:
    samples_ms: list[float] = field(default_factory=list)
    # This process's CPU time per sample: steady when other work shares the machine (the
    # database's own time is not in it).
    cpu_ms: list[float] = field(default_factory=list)

    def add(self, wall_ms: float, cpu_ms: float) -> None:
        self.samples_ms.append(wall_ms)
        self.cpu_ms.append(cpu_ms)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_ms)

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 95)


@dataclass
class OperationCall:
    name: str
    request: Any
    variables: dict[str, Any]


@dataclass
class PageResult:
    label: str
    path: str
    target_ms: float
    page: Timing
    operations: dict[str, Timing]
    sql: int
    bytes: int
    products_shown: int | None = None

    @property
    def operations_median(self) -> float:
        return sum(timing.median for timing in self.operations.values())

    @property
    def ok(self) -> bool:
        return self.page.median <= self.target_ms


def bench_environment(database_url: str, var_dir: Path) -> dict[str, str]:
    """Production-shaped settings for an in-process run: DEBUG off (no query log, cached
    templates, hashed static files), a throwaway secret, no HTTPS redirect (the test client
    speaks plain HTTP), uploaded files and collected static files in a temporary folder."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "MARKET_VAR_DIR": str(var_dir),
        "STATIC_ROOT": str(var_dir / "static"),
    }


def migrate(env: dict[str, str]) -> None:
    seconds, _ = run_manage(env, "migrate", "--noinput")
    print(f"migrated in {seconds:.1f} s")


def seed(env: dict[str, str], products: int, analyze: bool) -> None:
    seconds, out = run_manage(
        env, "seed_demo", "--reset", "--products", str(products), "--seed", "42", "--verbosity", "0"
    )
    print(f"seeded {products} products in {seconds:.1f} s")
    if analyze:
        print(f"VACUUM (ANALYZE) in {vacuum_analyze(env['DATABASE_URL']):.1f} s")


def collect_static(env: dict[str, str]) -> None:
    seconds, _ = run_manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    print(f"collected static files in {seconds:.1f} s")


# --- Measuring, in this process ----------------------------------------------------------------


def django_start(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextmanager
def recorded_operations() -> Iterator[list[OperationCall]]:
    """Within the block, each ``market.storefront.api.run`` call a page makes is remembered
    (name, request, variables) and passed on."""
    from market.storefront import api

    original_run = api.run
    calls: list[OperationCall] = []

    def recording(request, name, **variables):
        calls.append(OperationCall(name=name, request=request, variables=dict(variables)))
        return original_run(request, name, **variables)

    api.run = recording  # type: ignore[assignment]
    try:
        yield calls
    finally:
        api.run = original_run  # type: ignore[assignment]


def time_page(client, path: str, *, warmup: int, requests: int) -> tuple[Timing, int]:
    timing = Timing()
    size = 0
    for index in range(warmup + requests):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        cpu_elapsed = (time.process_time() - cpu) * 1000
        if response.status_code != 200:
            raise BenchError(f"GET {path} answered {response.status_code}")
        size = len(response.content)
        if index >= warmup:
            timing.add(elapsed, cpu_elapsed)
    return timing, size


def time_operation(run, call: OperationCall, *, warmup: int, requests: int) -> Timing:
    timing = Timing()
    for index in range(warmup + requests):
        started, cpu = time.perf_counter(), time.process_time()
        run(call.request, call.name, **call.variables)
        elapsed = (time.perf_counter() - started) * 1000
        cpu_elapsed = (time.process_time() - cpu) * 1000
        if index >= warmup:
            timing.add(elapsed, cpu_elapsed)
    return timing


def sql_statements(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return len(queries)


def listed_by(client, path: str) -> int | None:
    """How many products the page at ``path`` listed."""
    from market.storefront import api

    with recorded_operations() as calls:
        client.get(path)
    return products_shown(calls, api.run)


def products_shown(calls: list[OperationCall], original_run) -> int | None:
    """How many products the page's operations listed (the catalogue's page size)."""
    for call in calls:
        data = original_run(call.request, call.name, **call.variables)
        products = data.get("products")
        if isinstance(products, dict) and "edges" in products:
            return len(products["edges"])
    return None


def bench_page(
    client, label: str, path: str, target_ms: float, *, warmup: int, requests: int
) -> PageResult:
    from market.storefront import api

    with recorded_operations() as calls:
        response = client.get(path)
    if response.status_code != 200:
        raise BenchError(f"GET {path} answered {response.status_code}")
    if not calls:
        raise BenchError(f"GET {path} ran no storefront operation")

    page, size = time_page(client, path, warmup=warmup, requests=requests)
    operations = {
        call.name: time_operation(api.run, call, warmup=warmup, requests=requests) for call in calls
    }
    return PageResult(
        label=label,
        path=path,
        target_ms=target_ms,
        page=page,
        operations=operations,
        sql=sql_statements(client, path),
        bytes=size,
        products_shown=products_shown(calls, api.run),
    )


def product_path() -> str:
    """A published product from the middle of the catalogue (not the first one cached)."""
    from market.catalog.models import Product, ProductStatus

    published = Product.objects.filter(status=ProductStatus.PUBLISHED).order_by("pk")
    count = published.count()
    if not count:
        raise BenchError("the catalogue has no published product: seed it first")
    return f"/products/{published[count // 2].slug}/"


def few_results_path(product_page: str) -> str:
    """A search for the product page's product: a catalogue page listing one or a few."""
    from market.catalog.models import Product

    slug = product_page.strip("/").split("/")[-1]
    name = Product.objects.values_list("name", flat=True).get(slug=slug)
    return "/products/?" + urlencode({"q": name})


# --- Report ------------------------------------------------------------------------------------


def print_table(results: list[PageResult]) -> None:
    header = (
        f"{'page':<34} {'median':>7} {'p95':>7} {'cpu':>6} │ {'operation':<10} {'median':>7}"
        f" {'p95':>7} {'cpu':>6} │ {'render':>6} {'SQL':>3} {'HTML':>6}  target (median)"
    )
    print()
    print(header)
    print("─" * len(header))
    for result in results:
        for row, (name, timing) in enumerate(result.operations.items()):
            page = result.page
            page_cols = (
                f"{result.label:<34} {page.median:>7.1f} {page.p95:>7.1f} {page.cpu_median:>6.1f}"
                if row == 0
                else " " * 58
            )
            tail = (
                f" │ {page.median - result.operations_median:>6.1f} {result.sql:>3}"
                f" {result.bytes / 1024:>4.0f}KB  ≤ {result.target_ms:.0f} ms: {verdict(result.ok)}"
                if row == 0
                else " │"
            )
            print(
                f"{page_cols} │ {name:<10} {timing.median:>7.1f} {timing.p95:>7.1f}"
                f" {timing.cpu_median:>6.1f}{tail}"
            )
    print()
    print("ms. page: the whole request through Django's test Client (middleware, operation,")
    print("template); operation: the same document, variables and request run on its own;")
    print("cpu: this process's CPU time (median), steady when other work shares the machine;")
    print("render: page median minus the operations' medians (what the page adds to the API).")


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_STOREFRONT_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"PostgreSQL database to (re)seed (default {DEFAULT_DATABASE_URL}; "
        "BENCH_STOREFRONT_DATABASE_URL)",
    )
    parser.add_argument("--products", type=int, default=10_000, help="catalogue size")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first")
    parser.add_argument("--no-seed", action="store_true", help="use the database as it is")
    parser.add_argument("--no-analyze", action="store_true", help="skip VACUUM (ANALYZE)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 320 products, 30 requests, 5 warm-up"
    )
    parser.add_argument(
        "--profile",
        metavar="PAGE",
        choices=["catalogue", "product"],
        help="print a pyinstrument profile of PAGE's requests (pip install pyinstrument)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.products, args.requests, args.warmup = 320, 30, 5
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the storefront benchmark runs on PostgreSQL: give a postgres:// URL")
    return args


def profile(client, path: str, requests: int) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError as missing:
        raise BenchError("--profile needs pyinstrument: pip install pyinstrument") from missing
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(requests):
            client.get(path)
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="market-bench-storefront-"))
    env = bench_environment(args.database_url, workdir)
    print(
        f"storefront benchmark: {database_name(args.database_url)} on PostgreSQL "
        f"{server_version(args.database_url) if not args.no_seed else ''}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    try:
        ensure_database(args.database_url)
        migrate(env)  # also with --no-seed: a reused database gets the indexes the code expects
        if not args.no_seed:
            seed(env, args.products, analyze=not args.no_analyze)
        collect_static(env)
        django_start(env)
        from django.test import Client

        client = Client(HTTP_ACCEPT_LANGUAGE="en-US")
        catalogue = bench_page(
            client,
            "catalogue /products/",
            "/products/",
            TARGET_CATALOGUE_MEDIAN_MS,
            warmup=args.warmup,
            requests=args.requests,
        )
        path = product_path()
        product = bench_page(
            client,
            f"product {path}"[:34],
            path,
            TARGET_PRODUCT_MEDIAN_MS,
            warmup=args.warmup,
            requests=args.requests,
        )
        print_table([catalogue, product])
        few = few_results_path(path)
        print(
            f"SQL statements of the catalogue page: {catalogue.sql} listing "
            f"{catalogue.products_shown} products (the issue's page: {CATALOGUE_PAGE_SIZE}), "
            f"{sql_statements(client, few)} listing {listed_by(client, few)} ({few})"
        )
        if args.profile:
            profile(client, "/products/" if args.profile == "catalogue" else path, args.requests)
    except BenchError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Payouts benchmark: one real Celery worker pays sellers through Stripe, on PostgreSQL + Redis.

It migrates and empties a benchmark database, starts our local Stripe-compatible server
(``tests/stripe_server``, in a thread of this process), seeds sellers in Germany with ready
Stripe Connect accounts and N paid, delivered order parts past their hold period, creates the
due payouts, then starts ONE worker as production runs it for the ``payouts`` queue
(``celery -A workers.app worker -Q payouts --pool=threads --concurrency=8``: paying waits on
Stripe's API, not the CPU) and enqueues ``payouts.execute`` for every payout: payouts settled
per second until all are paid. ``--pool solo`` measures one task at a time instead.

Then, with gunicorn serving ``/webhooks/stripe/`` and a second worker on the default queue
(``--pool=solo``, where webhook events are processed), it pays orders
through the Stripe gateway (PaymentIntents on the local server), posts each signed
``payment_intent.succeeded`` to the webhook and times until the order is paid in the database.
It prints figures next to the targets; it asserts nothing.

    .venv/bin/python bench/payouts.py               # 500 payouts, 100 webhook events
    .venv/bin/python bench/payouts.py --quick       # smoke run: 100 payouts, 30 events

See bench/README.md for every option and what the figures mean.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from catalogue import (
    BenchError,
    Server,
    database_name,
    drop_database,
    ensure_database,
    percentile,
    run_manage,
    server_version,
    staging_env,
    verdict,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project and its test tree (our Stripe server, factories)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/market_bench_payouts"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"

# Targets from the issue; printed next to the figures, never asserted.
TARGET_PAYOUTS_PER_SECOND = 50.0
TARGET_WEBHOOK_TO_PAID_MEDIAN_MS = 200.0

SELLERS = 20
WEBHOOK_SECRET = "whsec_bench"
STRIPE_KEY = "sk_test_bench"


@dataclass
class Results:
    payouts: int = 0
    payout_seconds: float | None = None
    payouts_paid: int = 0
    payouts_failed: int = 0
    transfers: int = 0
    seed_seconds: float = 0.0
    worker_cpu_seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    events_timed_out: int = 0

    @property
    def payouts_per_second(self) -> float | None:
        if not self.payout_seconds:
            return None
        return self.payouts_paid / self.payout_seconds


# --- Django, in this process, for seeding through the services --------------------------------


def django_setup(env: dict) -> None:
    os.environ.update(env)
    import logging

    import django

    django.setup()
    # The SDK logs every request at INFO; the figures are what the benchmark prints.
    logging.getLogger("stripe").setLevel(logging.WARNING)


def seed_sellers(stripe_server, count: int) -> list:
    """Approved sellers in Germany, each listing one variant with ample stock and holding a
    Stripe Connect account that Stripe pays out to (registered on the local server)."""
    from decimal import Decimal

    from market.payouts.models import PayoutAccount
    from market.sellers.models import Seller
    from tests.factories import ExchangeRateFactory, seller_with_variant

    ExchangeRateFactory(currency="EUR", rate=Decimal("2.0000"))
    variants = []
    for _ in range(count):
        seller, variant = seller_with_variant(price="100.00", stock=1_000_000)
        Seller.objects.filter(pk=seller.pk).update(country="DE")
        account_id = f"acct_bench{seller.pk}"
        stripe_server.accounts[account_id] = {
            "id": account_id,
            "object": "account",
            "charges_enabled": True,
            "payouts_enabled": True,
        }
        PayoutAccount.objects.create(
            seller=seller,
            route="stripe_connect",
            stripe_account_id=account_id,
            charges_enabled=True,
            payouts_enabled=True,
        )
        variants.append(variant)
    return variants


def order_place(variant):
    """A guest's order of one unit, through checkout and ``checkout_complete``."""
    from market.checkout.completion import checkout_complete
    from tests.factories import ready_checkout

    checkout = ready_checkout(lines=[(variant, 1)], currency="EUR")
    return checkout_complete(token=checkout.token, idempotency_key=f"bench-{uuid.uuid4()}")


def seed_delivered_parts(variants: list, count: int) -> None:
    """``count`` orders paid with the dummy gateway (``payment_create``: the order becomes
    paid and the ledger records the sale), their parts delivered 15 days ago."""
    import datetime as dt

    from django.utils import timezone

    from market.orders.models import OrderPart, OrderStatus
    from market.payments.gateways import DummyGateway
    from market.payments.services import payment_create

    for index in range(count):
        order = order_place(variants[index % len(variants)])
        payment_create(
            order=order,
            gateway="dummy",
            card=DummyGateway.SUCCEEDS,
            idempotency_key=f"bench-pay-{order.pk}",
        )
    OrderPart.objects.filter(status=OrderStatus.PAID).update(
        status=OrderStatus.DELIVERED, delivered_at=timezone.now() - dt.timedelta(days=15)
    )


# --- The worker -------------------------------------------------------------------------------


class Worker:
    """One ``celery worker`` process on ``queue``; always stopped by ``stop``."""

    def __init__(self, env: dict, workdir: Path, *, queue: str, pool: str, concurrency: int):
        self.log_path = workdir / f"worker-{queue}.log"
        self._log = self.log_path.open("w")
        self.name = f"bench-{queue}-{os.getpid()}@{socket.gethostname()}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "workers.app",
                "worker",
                "-Q",
                queue,
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                self.name,
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        from workers.app import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"the worker exited ({self.process.returncode}):\n{self.log()}")
            if app.control.ping(destination=[self.name], timeout=0.5):
                return
        raise BenchError(f"the worker did not answer within {timeout:.0f} s:\n{self.log()}")

    def cpu_seconds(self) -> float:
        """User + system CPU the worker process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown: finishes the task at hand
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


def count_payouts(conn) -> dict[str, int]:
    return dict(
        conn.execute("SELECT status, count(*) FROM payouts_payout GROUP BY status").fetchall()
    )


def bench_payouts(url: str, worker: Worker, stripe_server, results: Results) -> None:
    from market.core.tasks import enqueue_on_commit
    from market.payouts.models import Payout

    ids = list(Payout.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True))
    results.payouts = len(ids)
    worker.wait_ready()
    cpu_before = worker.cpu_seconds()
    started = time.perf_counter()
    for payout_id in ids:
        enqueue_on_commit("payouts.execute", payout_id=payout_id)  # outside a transaction: now
    deadline = time.monotonic() + max(60.0, len(ids) / 5)
    # One connection for the polling: a new one every 20 ms would have PostgreSQL start a
    # backend 50 times a second, on the cores the worker is measured on.
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            counts = count_payouts(conn)
            done = counts.get("paid", 0) + counts.get("failed", 0)
            if done >= len(ids):
                break
            if time.monotonic() > deadline:
                print(f"   gave up waiting: {counts}", flush=True)
                break
            time.sleep(0.02)
    results.payout_seconds = time.perf_counter() - started
    results.worker_cpu_seconds = worker.cpu_seconds() - cpu_before
    results.payouts_paid = counts.get("paid", 0)
    results.payouts_failed = counts.get("failed", 0)
    results.transfers = len(stripe_server.transfers)


# --- Webhook to paid --------------------------------------------------------------------------


def stripe_payment_waiting(variant, stripe_server) -> tuple[int, dict]:
    """An order paid through the Stripe gateway whose PaymentIntent the buyer's browser has
    just confirmed on Stripe: (order id, the succeeded PaymentIntent as the webhook shows it)."""
    from market.payments.services import payment_create
    from tests.stripe_server.payment_intents import complete_action

    order = order_place(variant)
    payment = payment_create(
        order=order, gateway="stripe", idempotency_key=f"bench-stripe-{order.pk}"
    )
    return order.pk, complete_action(stripe_server, payment.provider_id, passed=True)


def post_event(port: int, event: dict) -> int:
    from tests.stripe_server.signing import stripe_signature

    body = json.dumps(event)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(
            "POST",
            "/webhooks/stripe/",
            body,
            {
                "Content-Type": "application/json",
                "Stripe-Signature": stripe_signature(body, WEBHOOK_SECRET),
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def bench_webhooks(
    url: str, server: Server, variants: list, stripe_server, count: int, results: Results
) -> None:
    from tests.stripe_server.server import webhook_event

    waiting = [
        stripe_payment_waiting(variants[i % len(variants)], stripe_server) for i in range(count)
    ]
    with psycopg.connect(url, autocommit=True) as conn:
        for order_id, intent in waiting:
            event = webhook_event("payment_intent.succeeded", intent)
            started = time.perf_counter()
            status = post_event(server.port, event)
            if status != 200:
                raise BenchError(f"the webhook answered {status}:\n{server.log()}")
            deadline = started + 10
            while True:
                row = conn.execute(
                    "SELECT status FROM orders_order WHERE id = %s", [order_id]
                ).fetchone()
                if row[0] == "paid" or row[0] != "unpaid":
                    results.latencies_ms.append((time.perf_counter() - started) * 1000)
                    break
                if time.perf_counter() > deadline:
                    results.events_timed_out += 1
                    break
                time.sleep(0.002)


def pool_args(args) -> str:
    return f"--pool={args.pool} --concurrency={args.concurrency}"


# --- Report -----------------------------------------------------------------------------------


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def summary(results: Results, args) -> str:
    rate = results.payouts_per_second
    lat = results.latencies_ms
    median = statistics.median(lat) if lat else None
    p95 = percentile(lat, 95) if lat else None
    rows = [
        f"{results.payouts} payouts (Stripe Connect transfers to {SELLERS} sellers, local "
        f"Stripe-compatible server), one `celery worker -Q payouts {pool_args(args)}` on Redis; "
        f"{len(lat)} `payment_intent.succeeded` webhooks through gunicorn (2 sync workers).",
        "",
        "| target | figure | |",
        "|---|---:|---|",
        f"| payouts settled per second, one worker ≥ {TARGET_PAYOUTS_PER_SECOND:.0f} | "
        f"{'—' if rate is None else f'{rate:.1f}'} | "
        f"{verdict(None if rate is None else rate >= TARGET_PAYOUTS_PER_SECOND)} |",
        f"| webhook → order paid, median ≤ {TARGET_WEBHOOK_TO_PAID_MEDIAN_MS:.0f} ms | "
        f"{ms(median)} ms (p95 {ms(p95)}) | "
        f"{verdict(None if median is None else median <= TARGET_WEBHOOK_TO_PAID_MEDIAN_MS)} |",
        f"| every payout paid once | {results.payouts_paid} paid, {results.payouts_failed} "
        f"failed, {results.transfers} transfers | "
        f"{verdict(results.payouts_paid == results.payouts == results.transfers)} |",
    ]
    return "\n".join(rows)


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_PAYOUTS_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL URL (default: $BENCH_PAYOUTS_DATABASE_URL or "
        "%(default)s); the database is created if missing and EMPTIED",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        help="Redis for the broker (default: $BENCH_REDIS_URL or %(default)s); "
        "its Celery queue is PURGED",
    )
    parser.add_argument(
        "--payouts", type=int, default=500, help="payouts paid by the worker (default %(default)s)"
    )
    parser.add_argument(
        "--events",
        type=int,
        default=100,
        help="payment_intent.succeeded webhooks timed (default %(default)s)",
    )
    parser.add_argument(
        "--pool",
        choices=["threads", "solo"],
        default="threads",
        help="the worker's pool (default %(default)s, as production runs the payouts queue)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=8,
        help="threads in the worker's pool (default %(default)s; solo: 1)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 100 payouts, 30 events")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args(argv)
    if args.quick:
        args.payouts, args.events = 100, 30
    if args.pool == "solo":
        args.concurrency = 1
    if args.payouts < 1 or args.events < 0 or args.concurrency < 1:
        parser.error("--payouts and --concurrency must be ≥ 1, --events ≥ 0")
    return args


def run(args, env: dict, workdir: Path, results: Results) -> None:
    from tests.stripe_server.server import StripeServer

    url = env["DATABASE_URL"]
    stripe_server = StripeServer(api_key=STRIPE_KEY).start()
    worker = events_worker = server = None
    try:
        env["STRIPE_API_BASE"] = stripe_server.url
        print("== migrate, empty", flush=True)
        run_manage(env, "migrate", "--noinput")
        run_manage(env, "flush", "--noinput")
        django_setup(env)
        from market.payouts.paying import payouts_create_due
        from workers.app import app

        started = time.perf_counter()
        variants = seed_sellers(stripe_server, SELLERS)
        seed_delivered_parts(variants, args.payouts)
        due = payouts_create_due()
        results.seed_seconds = time.perf_counter() - started
        # The seeding queued the sellers' notifications and the payouts; the benchmark enqueues
        # the payouts itself once the worker is up, so it starts from an empty queue.
        purged = app.control.purge()
        print(
            f"   {args.payouts} orders paid (dummy gateway) and delivered, "
            f"{len(due.created)} payouts due, in {results.seed_seconds:.1f} s; "
            f"{purged} queued messages purged",
            flush=True,
        )

        worker = Worker(env, workdir, queue="payouts", pool=args.pool, concurrency=args.concurrency)
        print(f"== payouts: one worker, {pool_args(args)}", flush=True)
        bench_payouts(url, worker, stripe_server, results)
        print(
            f"   {results.payouts_paid}/{results.payouts} paid in "
            f"{results.payout_seconds:.2f} s: {results.payouts_per_second:.1f} payouts/s "
            f"(target ≥ {TARGET_PAYOUTS_PER_SECOND:.0f}); {results.transfers} transfers, "
            f"{results.payouts_failed} failed",
            flush=True,
        )
        if results.payouts:
            print(
                f"   worker CPU {results.worker_cpu_seconds:.2f} s: "
                f"{results.worker_cpu_seconds / results.payouts * 1000:.1f} ms per payout "
                f"({results.worker_cpu_seconds / results.payout_seconds:.0%} of one core)",
                flush=True,
            )

        if args.events:
            events_worker = Worker(env, workdir, queue="celery", pool="solo", concurrency=1)
            server = Server(env, workdir, 2)
            server.wait_ready()
            events_worker.wait_ready()
            print(
                f"== webhook → paid: gunicorn on 127.0.0.1:{server.port}, "
                f"{args.events} events one after another",
                flush=True,
            )
            bench_webhooks(url, server, variants, stripe_server, args.events, results)
            lat = results.latencies_ms
            if lat:
                print(
                    f"   median {statistics.median(lat):.1f} ms, p95 "
                    f"{percentile(lat, 95):.1f} ms, max {max(lat):.1f} ms "
                    f"(target median ≤ {TARGET_WEBHOOK_TO_PAID_MEDIAN_MS:.0f} ms); "
                    f"{results.events_timed_out} timed out",
                    flush=True,
                )
    finally:
        if server is not None:
            server.stop()
        for running in (worker, events_worker):
            if running is not None:
                running.stop()
        stripe_server.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = staging_env(
        args.database_url,
        REDIS_URL=args.redis_url,
        STRIPE_SECRET_KEY=STRIPE_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        PAYMENT_GATEWAY="dummy",
        PAYMENT_GATEWAYS="dummy,stripe",
        CELERY_TASK_ALWAYS_EAGER="false",
    )
    results = Results()
    with tempfile.TemporaryDirectory(prefix="market-bench-payouts-") as workdir:
        env["MARKET_VAR_DIR"] = str(Path(workdir) / "var")
        try:
            ensure_database(args.database_url)
            print(
                f"Payouts benchmark: PostgreSQL {server_version(args.database_url)} at "
                f"{urlsplit(args.database_url).netloc}/{database_name(args.database_url)}, "
                f"Redis {args.redis_url}, Python {platform.python_version()}, "
                f"{os.cpu_count()} CPUs"
            )
            run(args, env, Path(workdir), results)
        except (BenchError, psycopg.Error, OSError) as error:
            print(f"\nbenchmark aborted: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
        finally:
            if results.payout_seconds is not None:
                print("\n== Summary (paste into docs/performance.md)\n")
                print(summary(results, args))
            if args.drop:
                drop_database(args.database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())

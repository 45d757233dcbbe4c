"""Scale-out check: the Procfile's processes under load, one worker and one API process killed.

It creates, migrates and seeds a database of its own (sellers in Germany with ready Stripe
Connect accounts, a few low-stock listings), starts our Stripe-compatible server as a process
of its own (``python -m tests.stripe_server``, with Stripe's latency) and every line of the
``Procfile`` with the same commands (two gunicorn instances, two default-queue workers, the
payouts worker, beat) on PostgreSQL and Redis. Concurrent buyers then go through the GraphQL API
(checkoutCreate → delivery → checkoutComplete → orderPaymentCreate with a PaymentMethod, paid
through the Stripe gateway), spread round-robin over the two API ports. A request that fails
(connection refused or reset, a 5xx, a timeout) is sent again, to the next port, with the same
idempotency key, as a real client does.

Midway through the buying it SIGKILLs ``web1`` (the gunicorn master and its workers) and
``worker1`` (the Celery master and its pool). Neither is restarted: buyers carry on through
``web2``, and ``worker2`` takes back the messages ``worker1`` held once Redis's visibility
timeout (``CELERY_BROKER_VISIBILITY_TIMEOUT``, 8 s here) has passed.

Then the paid parts are marked delivered 15 days ago (time passing, done in SQL), beat's nightly
``payouts.create_due`` is sent through the broker, and once a quarter of the payouts are paid the
``payouts`` worker is SIGKILLed and started again: the payouts it held are claimed again after
``PAYOUT_SWEEP_AFTER_SECONDS`` (5 s here) and paid with the same Stripe idempotency keys;
the bench sends ``payouts.sweep`` every 10 s meanwhile, as beat does every 5 minutes.

Finally it checks, against the database and the Stripe server's own lists:
every checkout a buyer completed is exactly one order; every paid order has exactly one
succeeded payment and exactly one PaymentIntent on Stripe; no variant sold more than its stock;
every delivered part has one payout, paid; each seller's transfers on Stripe are that seller's
payouts, none twice. It prints the figures and PASS or FAIL (exit status 0 or 1), and always
stops every process it started.

    .venv/bin/python bench/scaleout.py              # 8 buyers, 80 purchases
    .venv/bin/python bench/scaleout.py --quick      # 6 buyers, 36 purchases (the CI test's run)

See bench/README.md for every option.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from catalogue import BenchError, database_name, drop_database, ensure_database, run_manage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project and its test tree (the Stripe server, factories)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/market_bench_scaleout"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
STRIPE_KEY = "sk_test_scaleout"
CARD = "pm_card_visa"
BERLIN = {
    "name": "Lena Hoffmann",
    "streetAddress1": "Torstraße 1",
    "city": "Berlin",
    "postalCode": "10119",
    "country": "DE",
    "phone": "+49 30 1234567",
}

CHECKOUT_CREATE = """
mutation ScaleCheckoutCreate($input: CheckoutCreateInput!) {
  checkoutCreate(input: $input) { checkout { token } errors { field code message } }
}"""
DELIVERY_OPTIONS = """
query ScaleDelivery($token: UUID!) {
  checkoutQuote(token: $token) {
    parts { seller { id } deliveryOptions { shippingMethod { id } price { amount } } }
  }
}"""
DELIVERY_SET = """
mutation ScaleDeliverySet($token: UUID!, $sellerId: ID!, $shippingMethodId: ID!) {
  checkoutDeliveryMethodUpdate(token: $token, sellerId: $sellerId,
                               shippingMethodId: $shippingMethodId) {
    errors { field code message }
  }
}"""
COMPLETE = """
mutation ScaleComplete($token: UUID!, $key: String!) {
  checkoutComplete(token: $token, idempotencyKey: $key) {
    order { number token } errors { field code message }
  }
}"""
PAY = """
mutation ScalePay($orderToken: UUID!, $card: String!, $key: String!) {
  orderPaymentCreate(orderToken: $orderToken, card: $card, idempotencyKey: $key) {
    payment { id status } errors { field code message }
  }
}"""


def global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


# --- The Procfile's processes -----------------------------------------------------------------


def procfile_commands() -> dict[str, str]:
    """``name: command`` lines of the Procfile, as honcho reads them."""
    line = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")
    commands = {}
    for text in (ROOT / "Procfile").read_text().splitlines():
        match = line.match(text)
        if match:
            commands[match.group(1)] = match.group(2)
    return commands


class Process:
    """One Procfile entry run by ``sh -c`` in a process group of its own (so that a SIGKILL
    takes the master and its children, as a machine lost would)."""

    def __init__(self, name: str, command: str, env: dict, workdir: Path):
        self.name, self.command, self.env = name, command, env
        self.log_path = workdir / f"{name}.log"
        self.starts = 0
        self.start()

    def start(self) -> None:
        self.starts += 1
        self._log = self.log_path.open("a")
        self.process = subprocess.Popen(
            ["sh", "-c", f"exec {self.command}"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group: no graceful shutdown, nothing acknowledged."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self._log.close()

    def stop(self) -> None:
        if self.alive():
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # stragglers of the group
        except ProcessLookupError:
            pass
        self.process.wait()
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, ready, timeout: float, processes: list[Process]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if not process.alive():
                raise BenchError(
                    f"{process.name} exited while waiting for {what}:\n{process.log()}"
                )
        if ready():
            return
        time.sleep(0.2)
    logs = "\n".join(f"--- {p.name}\n{p.log()}" for p in processes)
    raise BenchError(f"{what}: not ready within {timeout:.0f} s\n{logs}")


def http_answers(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


# --- Buyers -----------------------------------------------------------------------------------


class Refused(Exception):
    def __init__(self, operation: str, errors: list[dict]):
        super().__init__(f"{operation}: {errors}")
        self.code = errors[0].get("code") or "?"


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    attempts: int = 0
    retries: int = 0
    retried_after: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    # what buyers were told: checkout token -> order number; order number -> payment status
    completed: dict[str, str] = field(default_factory=dict)
    paid: dict[str, str] = field(default_factory=dict)


class Api:
    """A buyer's GraphQL client over both API ports, round-robin; a failed request is sent
    again, unchanged (same idempotency key), to the next port."""

    def __init__(self, ports: list[int], tally: Tally, rng: random.Random):
        self.ports, self.tally = ports, tally
        self.turn = rng.randrange(len(ports))

    def call(self, document: str, variables: dict) -> dict:
        body = json.dumps({"query": document, "variables": variables}).encode()
        last = ""
        for attempt in range(12):
            port = self.ports[self.turn % len(self.ports)]
            self.turn += 1
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("POST", "/graphql/", body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                status, raw = response.status, response.read()
                conn.close()
                if status < 500:
                    answer = json.loads(raw)
                    if status != 200 or answer.get("errors"):
                        raise BenchError(f"HTTP {status}: {raw[:800]!r}")
                    return answer["data"]
                last = f"HTTP {status}"
            except (OSError, http.client.HTTPException) as error:
                last = type(error).__name__
            with self.tally.lock:
                self.tally.retries += 1
                self.tally.retried_after[last] += 1
            time.sleep(min(0.05 * 2**attempt, 1.0))
        raise BenchError(f"gave up after 12 attempts (last: {last})")


def payload(data: dict, name: str, operation: str) -> dict:
    result = data[name]
    if result.get("errors"):
        raise Refused(operation, result["errors"])
    return result


def buy(api: Api, lines: list[tuple[int, int]], tally: Tally) -> None:
    """One purchase, start to finish, as the storefront makes it."""
    data = api.call(
        CHECKOUT_CREATE,
        {
            "input": {
                "email": f"buyer-{uuid.uuid4().hex[:10]}@example.com",
                "currency": "EUR",
                "lines": [
                    {"variantId": global_id("ProductVariant", v), "quantity": q} for v, q in lines
                ],
                "shippingAddress": BERLIN,
                "billingAddress": BERLIN,
            }
        },
    )
    token = payload(data, "checkoutCreate", "checkoutCreate")["checkout"]["token"]
    for part in api.call(DELIVERY_OPTIONS, {"token": token})["checkoutQuote"]["parts"]:
        option = min(part["deliveryOptions"], key=lambda o: float(o["price"]["amount"]))
        payload(
            api.call(
                DELIVERY_SET,
                {
                    "token": token,
                    "sellerId": part["seller"]["id"],
                    "shippingMethodId": option["shippingMethod"]["id"],
                },
            ),
            "checkoutDeliveryMethodUpdate",
            "delivery",
        )
    order = payload(
        api.call(COMPLETE, {"token": token, "key": f"complete-{token}"}),
        "checkoutComplete",
        "checkoutComplete",
    )["order"]
    with tally.lock:
        tally.completed[token] = order["number"]
    payment = payload(
        api.call(PAY, {"orderToken": order["token"], "card": CARD, "key": f"pay-{token}"}),
        "orderPaymentCreate",
        "orderPaymentCreate",
    )["payment"]
    with tally.lock:
        tally.paid[order["number"]] = payment["status"]


def buyers_run(
    ports: list[int], variants: list[int], purchases: int, buyers: int, midway, seed: int
) -> Tally:
    """``buyers`` threads making ``purchases`` purchases between them; ``midway()`` is called
    once, by the buyer that starts the purchase half-way through."""
    tally = Tally()
    counter = iter(range(purchases))
    counter_lock = threading.Lock()
    failures: list[BaseException] = []

    def buyer(index: int) -> None:
        rng = random.Random(seed + index)
        api = Api(ports, tally, rng)
        while True:
            with counter_lock:
                number = next(counter, None)
            if number is None:
                return
            if number == purchases // 2:
                midway()
            chosen = rng.sample(variants, k=rng.choice((1, 2)))
            with tally.lock:
                tally.attempts += 1
            try:
                buy(api, [(v, 1) for v in chosen], tally)
            except Refused as refusal:
                with tally.lock:
                    tally.refused[refusal.code] += 1
            except BaseException as error:  # noqa: BLE001 (reported after the run)
                failures.append(error)
                return

    threads = [threading.Thread(target=buyer, args=(i,)) for i in range(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise BenchError(f"a buyer stopped: {failures[0]!r}")
    return tally


# --- Seeding (in this process, through the factories and services) ----------------------------


def django_setup(env: dict) -> None:
    os.environ.update(env)
    import logging

    import django

    django.setup()
    logging.getLogger("stripe").setLevel(logging.WARNING)


def seed(sellers: int, listings: int, stock: int) -> tuple[list[int], dict[int, str]]:
    """``sellers`` approved sellers in Germany, each listing ``listings`` variants with
    ``stock`` units, each with a Stripe Connect account that Stripe pays out to (the Stripe
    server is started with those accounts ready). Returns (variant ids, seller id -> account)."""
    from decimal import Decimal

    from market.catalog.models import ProductVariant
    from market.payouts.models import PayoutAccount
    from market.sellers.models import Seller
    from tests.factories import euro_rate, listed_product, seller_with_variant, shipping_to

    euro_rate()
    shipping_to("DE")
    variants, accounts = [], {}
    for index in range(sellers):
        seller, variant = seller_with_variant(price=f"{40 + 10 * index}.00", stock=stock)
        Seller.objects.filter(pk=seller.pk).update(country="DE")
        variants.append(variant.pk)
        for extra in range(listings - 1):
            product = listed_product(
                seller=seller, prices=(Decimal(f"{25 + 5 * extra}.00"),), stock=stock
            )
            variants.append(product.variants.get().pk)
        account_id = f"acct_scaleout{index}"
        PayoutAccount.objects.create(
            seller=seller,
            route="stripe_connect",
            stripe_account_id=account_id,
            charges_enabled=True,
            payouts_enabled=True,
        )
        accounts[seller.pk] = account_id
    assert ProductVariant.objects.filter(pk__in=variants, stock_quantity=stock).count() == len(
        variants
    )
    return variants, accounts


# --- Settling and checking --------------------------------------------------------------------


def queues_settled(redis_url: str) -> tuple[bool, dict]:
    """Whether Redis holds no message waiting or taken-but-unacknowledged (kombu's keys)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    sizes = {
        "celery": client.llen("celery"),
        "payouts": client.llen("payouts"),
        "unacked": client.hlen("unacked"),
    }
    return not any(sizes.values()), sizes


def stripe_list(base: str, path: str, **params) -> list[dict]:
    """Every object of a Stripe list endpoint, page by page."""
    import stripe

    client = stripe.StripeClient(STRIPE_KEY, base_addresses={"api": base})
    resource = getattr(client.v1, path)
    items, after = [], None
    while True:
        page = resource.list(
            params={"limit": 100, **params, **({"starting_after": after} if after else {})}
        )
        items += [obj.to_dict() for obj in page.data]
        if not page.has_more:
            return items
        after = page.data[-1].id


@dataclass
class Verdict:
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def check(self, ok: bool, text: str) -> None:
        self.lines.append(f"   [{'ok' if ok else 'FAIL'}] {text}")
        if not ok:
            self.failures.append(text)


def check_everything(
    url: str,
    stripe_base: str,
    tally: Tally,
    stock: int,
    variants: list[int],
    accounts: dict[int, str],
) -> Verdict:
    verdict = Verdict()
    with psycopg.connect(url, autocommit=True) as conn:
        orders = conn.execute(
            "SELECT checkout_token::text, number, status FROM orders_order"
        ).fetchall()
        by_checkout = Counter(token for token, _, _ in orders)
        number_of = {token: number for token, number, _ in orders}
        told = tally.completed
        verdict.check(
            all(
                by_checkout[token] == 1 and number_of[token] == number
                for token, number in told.items()
            )
            and max(by_checkout.values(), default=1) == 1,
            f"every completed checkout is exactly one order: {len(told)} completed, "
            f"{len(orders)} orders in the database",
        )
        verdict.check(
            set(number_of.values()) == set(told.values()),
            "no order that a buyer was not told of",
        )
        payments = conn.execute(
            "SELECT o.number, o.status, p.status, p.provider_id FROM orders_order o "
            "LEFT JOIN payments_payment p ON p.order_id = o.id"
        ).fetchall()
        succeeded = Counter(n for n, _, s, _ in payments if s == "succeeded")
        paid_orders = {n for n, status, _, _ in payments if status == "paid"}
        intents = stripe_list(stripe_base, "payment_intents")
        intents_per_order = Counter(i["metadata"].get("order_number") for i in intents)
        succeeded_intents = Counter(
            i["metadata"].get("order_number") for i in intents if i["status"] == "succeeded"
        )
        verdict.check(
            all(
                succeeded[n] == 1 and intents_per_order[n] == 1 and succeeded_intents[n] == 1
                for n in paid_orders
            ),
            f"every paid order has one succeeded payment and one PaymentIntent on Stripe: "
            f"{len(paid_orders)} paid orders, {sum(succeeded.values())} succeeded payments, "
            f"{len(intents)} PaymentIntents",
        )
        verdict.check(
            {n for n, s in tally.paid.items() if s == "SUCCEEDED"} <= paid_orders
            and set(succeeded) == paid_orders
            and len(intents) == len(paid_orders),
            f"every payment a buyer saw succeed is a paid order, and no other: "
            f"{sum(1 for s in tally.paid.values() if s == 'SUCCEEDED')} seen",
        )
        sold = dict(
            conn.execute(
                "SELECT l.variant_id, sum(l.quantity) FROM orders_orderline l "
                "JOIN orders_orderpart p ON p.id = l.part_id "
                "JOIN orders_order o ON o.id = p.order_id "
                "WHERE o.status <> 'cancelled' GROUP BY l.variant_id"
            ).fetchall()
        )
        left = dict(
            conn.execute(
                "SELECT id, stock_quantity FROM catalog_productvariant WHERE id = ANY(%s)",
                [variants],
            ).fetchall()
        )
        oversold = [v for v in variants if sold.get(v, 0) > stock or left[v] < 0]
        mismatch = [v for v in variants if left[v] + sold.get(v, 0) != stock]
        verdict.check(
            not oversold and not mismatch,
            f"no variant oversold: {sum(sold.values())} units sold of {stock * len(variants)}, "
            f"{sum(1 for v in variants if left[v] == 0)} of {len(variants)} variants sold out",
        )
        parts = conn.execute(
            "SELECT count(*) FROM orders_orderpart WHERE status = 'delivered'"
        ).fetchone()[0]
        payouts = conn.execute(
            "SELECT seller_id, status, stripe_transfer_id, transfer_amount, order_part_id "
            "FROM payouts_payout"
        ).fetchall()
        statuses = Counter(status for _, status, _, _, _ in payouts)
        verdict.check(
            len(payouts) == parts and statuses == Counter({"paid": parts}),
            f"every delivered part has one payout, paid: {parts} parts, payouts {dict(statuses)}",
        )
        transfers = stripe_list(stripe_base, "transfers")
        doubled = [
            k
            for k, c in Counter(t["metadata"].get("payout_id") for t in transfers).items()
            if c > 1
        ]
        per_seller_ok = True
        for seller_id, account in accounts.items():
            mine = [p for p in payouts if p[0] == seller_id]
            theirs = [t for t in transfers if t["destination"] == account]
            if sorted(p[2] or "" for p in mine) != sorted(t["id"] for t in theirs) or sum(
                int(round(p[3] * 100)) for p in mine if p[3] is not None
            ) != sum(t["amount"] for t in theirs):
                per_seller_ok = False
        verdict.check(
            per_seller_ok and not doubled,
            f"each seller's transfers on Stripe are its payouts, none twice: "
            f"{len(transfers)} transfers for {len(payouts)} payouts",
        )
    return verdict


# --- The run ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("SCALEOUT_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("SCALEOUT_REDIS_URL", DEFAULT_REDIS_URL)
    )
    parser.add_argument("--buyers", type=int, default=8, help="concurrent buyers (default 8)")
    parser.add_argument("--purchases", type=int, default=80, help="purchases in all (default 80)")
    parser.add_argument("--sellers", type=int, default=4)
    parser.add_argument("--listings", type=int, default=3, help="variants per seller")
    parser.add_argument(
        "--stock", type=int, default=8, help="units of each variant (low: some sell out)"
    )
    parser.add_argument("--stripe-latency", type=float, default=0.2, help="seconds (default 0.2)")
    parser.add_argument("--quick", action="store_true", help="6 buyers, 36 purchases, stock 5")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args(argv)
    if args.quick:
        args.buyers, args.purchases, args.stock = 6, 36, 5
    return args


def run(args, workdir: Path) -> Verdict:
    url = args.database_url
    web_ports = [free_port(), free_port()]
    stripe_port = free_port()
    stripe_base = f"http://127.0.0.1:{stripe_port}"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "market.settings",
        "DATABASE_URL": url,
        "REDIS_URL": args.redis_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "PAYMENT_ALLOW_TEST_PAYMENTS": "true",
        "PAYMENT_GATEWAY": "stripe",
        "PAYMENT_GATEWAYS": "stripe",
        "STRIPE_SECRET_KEY": STRIPE_KEY,
        "STRIPE_WEBHOOK_SECRET": "whsec_scaleout",
        "STRIPE_API_BASE": stripe_base,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # What a killed worker held comes back within the run, not an hour later.
        "CELERY_BROKER_VISIBILITY_TIMEOUT": "8",
        "PAYOUT_SWEEP_AFTER_SECONDS": "5",
        "WEB1_PORT": str(web_ports[0]),
        "WEB2_PORT": str(web_ports[1]),
        "GUNICORN_WORKERS": "2",
        "MARKET_VAR_DIR": str(workdir / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CELERY_BROKER_URL", None)
    drop_database(url)
    ensure_database(url)
    print(f"== database {database_name(url)}: migrate, seed", flush=True)
    run_manage(env, "migrate", "--noinput")
    django_setup(env)
    variants, accounts = seed(args.sellers, args.listings, args.stock)
    from workers.app import app

    purged = app.control.purge()
    print(
        f"   {args.sellers} sellers, {len(variants)} variants of {args.stock} units; "
        f"{purged} queued messages purged",
        flush=True,
    )

    processes: list[Process] = []
    try:
        stripe = Process(
            "stripe",
            f"{sys.executable} -m tests.stripe_server --port {stripe_port} --api-key {STRIPE_KEY} "
            f"--latency {args.stripe_latency} "
            + " ".join(f"--account {a}" for a in accounts.values()),
            env,
            workdir,
        )
        processes.append(stripe)
        commands = procfile_commands()
        named = {name: Process(name, command, env, workdir) for name, command in commands.items()}
        processes += named.values()
        print(f"== started {', '.join(named)} (the Procfile) and the Stripe server", flush=True)
        host = socket.gethostname()
        wait_for(
            "the API processes", lambda: all(http_answers(p) for p in web_ports), 90, processes
        )
        workers = [f"{n}@{host}" for n in ("worker1", "worker2", "payouts")]
        wait_for(
            "the workers",
            lambda: len(app.control.ping(destination=workers, timeout=1.0)) == len(workers),
            90,
            processes,
        )

        killed: list[str] = []

        def midway() -> None:
            named["web1"].kill()
            named["worker1"].kill()
            killed.append(f"web1 and worker1 SIGKILLed at {time.strftime('%H:%M:%S')}")
            print(f"   midway: {killed[-1]} (not restarted)", flush=True)

        print(
            f"== {args.buyers} buyers, {args.purchases} purchases over ports {web_ports}",
            flush=True,
        )
        started = time.perf_counter()
        tally = buyers_run(web_ports, variants, args.purchases, args.buyers, midway, seed=7)
        seconds = time.perf_counter() - started
        print(
            f"   {len(tally.completed)} orders, "
            f"{sum(1 for s in tally.paid.values() if s == 'SUCCEEDED')} paid in {seconds:.1f} s; "
            f"refused {dict(tally.refused)}; {tally.retries} requests "
            f"sent again ({dict(tally.retried_after)})",
            flush=True,
        )

        print(
            "== settling: the queues drained, worker1's messages back after the timeout", flush=True
        )
        started = time.perf_counter()
        deadline = time.monotonic() + 90
        while True:
            settled, sizes = queues_settled(args.redis_url)
            if settled or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        print(
            f"   {'settled' if settled else 'NOT settled'} in "
            f"{time.perf_counter() - started:.1f} s: {sizes}",
            flush=True,
        )

        with psycopg.connect(url, autocommit=True) as conn:
            delivered = conn.execute(
                "UPDATE orders_orderpart SET status = 'delivered', "
                "delivered_at = now() - interval '15 days' WHERE status = 'paid'"
            ).rowcount
            print(
                f"== payouts: {delivered} parts delivered 15 days ago; payouts.create_due sent",
                flush=True,
            )
            app.tasks["payouts.create_due"].apply_async()
            started = time.perf_counter()
            restarted = False
            sweeps, next_sweep = 0, time.monotonic() + 10
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if time.monotonic() > next_sweep:
                    # What beat sends every 5 minutes, every 10 s here: a payout whose message
                    # a killed worker took with it (or never sent) is queued again.
                    app.tasks["payouts.sweep"].apply_async()
                    sweeps, next_sweep = sweeps + 1, time.monotonic() + 10
                paid = conn.execute(
                    "SELECT count(*) FROM payouts_payout WHERE status = 'paid'"
                ).fetchone()[0]
                if not restarted and paid >= max(1, delivered // 4):
                    named["payouts"].kill()
                    named["payouts"].start()
                    restarted = True
                    print(
                        f"   payouts worker SIGKILLed with {paid} paid, and started again",
                        flush=True,
                    )
                if paid >= delivered:
                    break
                time.sleep(0.05)
            print(
                f"   {paid}/{delivered} payouts paid in {time.perf_counter() - started:.1f} s "
                f"({sweeps} payouts.sweep sent, as beat does every 5 minutes)",
                flush=True,
            )

        print("== checks", flush=True)
        verdict = check_everything(url, stripe_base, tally, args.stock, variants, accounts)
        if not killed:
            verdict.check(False, "the midway kills happened")
        alive = [p.name for p in processes if p.alive()]
        verdict.check(
            set(alive) == set(named) - {"web1", "worker1"} | {"stripe"},
            f"the survivors kept running: {', '.join(alive)}",
        )
        return verdict
    finally:
        for process in reversed(processes):
            process.stop()
        if not args.keep:
            drop_database(url)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"Scale-out check: PostgreSQL {urlsplit(args.database_url).netloc}/"
        f"{database_name(args.database_url)}, Redis {args.redis_url}, {os.cpu_count()} CPUs",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="market-scaleout-") as workdir:
        try:
            verdict = run(args, Path(workdir))
        except (BenchError, psycopg.Error, OSError) as error:
            print(f"\nFAIL: the run stopped: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
    print("\n".join(verdict.lines))
    print("PASS" if not verdict.failures else f"FAIL: {len(verdict.failures)} check(s) failed")
    return 0 if not verdict.failures else 1


if __name__ == "__main__":
    sys.exit(main())

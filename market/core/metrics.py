"""Prometheus metrics: what every process measures, and the gauges read when ``/metrics`` is
scraped.

Each API process and each worker process counts its own requests and tasks. With several
processes (gunicorn's workers, Celery's prefork children) the client library keeps the counts
in files under ``PROMETHEUS_MULTIPROC_DIR`` and a scrape sums them; without it (the demo, one
process) they stay in memory. The variable must be set before the process starts: the library
reads it on import.

Gauges that describe shared state (messages waiting in the broker, failed payouts) are not
counted by anyone: they are read from the broker and the database at scrape time, so every
process answers the same. An app adds one with a line in its ``AppConfig.ready``::

    scrape_gauge_register("market_payouts_failed", "Payouts …", payout_failed_count)

A gauge whose source does not answer (the broker is down) is left out of that scrape and
logged; the rest of the scrape goes on.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# A GraphQL operation's name is the client's to choose: past this many distinct names in one
# process, or past this length, a new name is counted as "other" so that no client can grow the
# number of series without bound.
MAX_OPERATION_LABELS = 100
MAX_OPERATION_NAME_LENGTH = 64
OTHER = "other"
ANONYMOUS = "anonymous"
BROKER_TIMEOUT_SECONDS = 1

GRAPHQL_REQUEST_SECONDS = Histogram(
    "market_graphql_request_seconds",
    "Time to answer a request to /graphql/, by operation name and outcome (ok, error).",
    ["operation", "outcome"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "market_http_request_seconds",
    "Time to answer a request to any other view, by URL name and status class (2xx, 4xx…).",
    ["view", "status"],
)
TASK_SECONDS = Histogram(
    "market_task_seconds",
    "Time a Celery task ran, by task name and final state (success, failure, retry).",
    ["task", "state"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800),
)
TASK_FAILURES = Counter("market_task_failures", "Celery tasks that raised, by task name.", ["task"])
TASK_RETRIES = Counter(
    "market_task_retries", "Celery tasks that asked to be retried, by task name.", ["task"]
)


# --- Labels ---------------------------------------------------------------------------------

_operation_names: set[str] = set()
_operation_names_lock = threading.Lock()


def graphql_operation_label(name: str | None) -> str:
    """The label of a GraphQL operation that parsed and validated: its name, ``anonymous``,
    or ``other`` once this process has seen ``MAX_OPERATION_LABELS`` names (or a long one)."""
    if not name:
        return ANONYMOUS
    if len(name) > MAX_OPERATION_NAME_LENGTH:
        return OTHER
    with _operation_names_lock:
        if name in _operation_names:
            return name
        if len(_operation_names) >= MAX_OPERATION_LABELS:
            return OTHER
        _operation_names.add(name)
        return name


def graphql_request_mark(
    request: HttpRequest,
    *,
    valid: bool,
    operation_name: str | None,
    ok: bool,
    cached: bool = False,
) -> None:
    """Called by the GraphQL view once it knows what the request ran. Only the name of an
    operation that parsed and validated (``valid``) can become a label; a document refused, or
    an ``operationName`` naming none of its operations, counts as ``other``. An answer served
    from the catalogue cache (``cached``) has the outcome ``cached``."""
    label = graphql_operation_label(operation_name) if valid else OTHER
    marked = (label, "cached" if cached else "ok" if ok else "error")
    setattr(request, "metrics_graphql", marked)  # noqa: B010  (HttpRequest declares no such field)


def request_observe(request: HttpRequest, status: int, seconds: float) -> None:
    marked: tuple[str, str] | None = getattr(request, "metrics_graphql", None)
    if marked is not None:
        operation, outcome = marked
        if status >= 400:
            outcome = "error"
        GRAPHQL_REQUEST_SECONDS.labels(operation, outcome).observe(seconds)
        return
    match = getattr(request, "resolver_match", None)
    # The URL pattern's name, never the path: paths hold slugs and ids without end.
    view = (match.view_name or "unnamed") if match is not None else "unresolved"
    HTTP_REQUEST_SECONDS.labels(view, f"{status // 100}xx").observe(seconds)


# --- Scrape-time gauges ---------------------------------------------------------------------

GaugeReading = float | int | Mapping[str, float | int] | None


@dataclass(frozen=True)
class ScrapeGauge:
    name: str
    documentation: str
    read: Callable[[], GaugeReading]
    label: str | None = None


SCRAPE_GAUGES: dict[str, ScrapeGauge] = {}


def scrape_gauge_register(
    name: str,
    documentation: str,
    read: Callable[[], GaugeReading],
    *,
    label: str | None = None,
) -> None:
    """Adds a gauge read at every scrape. ``read`` returns a number, or with ``label`` a mapping
    of label value to number; None leaves the gauge out. Registering a name again replaces it."""
    SCRAPE_GAUGES[name] = ScrapeGauge(name, documentation, read, label)


class ScrapeTimeCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        for gauge in list(SCRAPE_GAUGES.values()):
            try:
                reading = gauge.read()
            except Exception:  # the source is down: that gauge is missing, the scrape goes on
                logger.warning("Metric %s could not be read", gauge.name, exc_info=True)
                continue
            if reading is None:
                continue
            if gauge.label is None:
                if isinstance(reading, Mapping):
                    logger.error("Metric %s has no label but read a mapping", gauge.name)
                    continue
                yield GaugeMetricFamily(gauge.name, gauge.documentation, value=float(reading))
                continue
            if not isinstance(reading, Mapping):
                logger.error("Metric %s has a label but read a number", gauge.name)
                continue
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=[gauge.label])
            for label_value, value in sorted(reading.items()):
                family.add_metric([label_value], float(value))
            yield family


def broker_queue_messages() -> dict[str, int]:
    """Messages waiting in each of the app's queues, asked of the broker with a passive declare
    (Redis: the length of the queue's lists; the file-system broker: its files; RabbitMQ: the
    queue's message count). A queue the broker does not know yet holds nothing."""
    app = current_app
    queues = [queue.name for queue in app.amqp.queues.values()]
    counts: dict[str, int] = {}
    with app.connection_for_read(
        connect_timeout=BROKER_TIMEOUT_SECONDS,
        transport_options={"socket_timeout": BROKER_TIMEOUT_SECONDS},
    ) as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        # kombu's channels are typed as its abstract StdChannel, without queue_declare.
        channel: Any = conn.channel()
        try:
            for name in queues:
                try:
                    counts[name] = channel.queue_declare(queue=name, passive=True).message_count
                except conn.channel_errors:
                    counts[name] = 0
                    # RabbitMQ closes a channel that asked for an unknown queue.
                    channel.close()
                    channel = conn.channel()
        finally:
            channel.close()
    return counts


scrape_gauge_register(
    "market_queue_messages",
    "Messages waiting in each Celery queue on the broker.",
    broker_queue_messages,
    label="queue",
)


# --- Exposition -----------------------------------------------------------------------------

_scrape_time_collector = ScrapeTimeCollector()


def multiprocess_enabled() -> bool:
    return bool(os.environ.get(MULTIPROCESS_DIR_VARIABLE))


if not multiprocess_enabled():
    REGISTRY.register(_scrape_time_collector)


def metrics_text() -> bytes:
    """The text exposition of every metric: in multiprocess mode the sum of every process's
    files, plus the scrape-time gauges."""
    if not multiprocess_enabled():
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    registry.register(_scrape_time_collector)
    return generate_latest(registry)


def multiprocess_dir_prepare() -> None:
    """At a server's start: creates the folder and removes the files of processes no longer
    running (a new process with an old one's id would go on from its counts). The files of
    running processes stay: the API and the workers of one machine may share the folder."""
    path = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
    if not path:
        return
    os.makedirs(path, exist_ok=True)
    for entry in os.scandir(path):
        pid = entry.name.rpartition("_")[2].removesuffix(".db")
        if entry.name.endswith(".db") and pid.isdigit() and not _process_running(int(pid)):
            try:
                os.remove(entry.path)
            except FileNotFoundError:
                pass


def multiprocess_process_exited(pid: int) -> None:
    if multiprocess_enabled():
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def _process_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def metrics_allowed(request: HttpRequest) -> bool:
    """``METRICS_TOKEN`` set: only a request carrying it as a bearer token. Unset: with DEBUG
    on (the demo), a request from this machine that came through no proxy; with DEBUG off,
    nobody (a proxy on the same machine would make every visitor look local)."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), token.encode()
        )
    return (
        settings.DEBUG
        and _loopback(request.META.get("REMOTE_ADDR"))
        and "HTTP_X_FORWARDED_FOR" not in request.META
    )


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    # A stranger learns nothing, not even that the page exists.
    if not metrics_allowed(request):
        raise Http404
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)

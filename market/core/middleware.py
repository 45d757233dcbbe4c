import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from market.core.context import new_request_id, request_id_reset, request_id_set
from market.core.metrics import request_observe
from market.core.reference_cache import reference_memo


class QueryCountHeaderMiddleware:
    """Adds ``X-SQL-Queries`` to each response; enabled for benchmarks only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        count = 0

        def counter(
            execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
        ) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-SQL-Queries"] = str(count)
        return response


class ContentSecurityPolicyMiddleware:
    """Sends ``MARKET_CONTENT_SECURITY_POLICY`` with every response that has none, the admin's
    pages and GraphiQL's included, so that a script injected into a page cannot run or send
    data elsewhere. One fixed header, no nonces: no page of ours runs an inline script
    (GraphiQL's files are our own static files), so django-csp would add a dependency for no
    gain.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.policy = settings.MARKET_CONTENT_SECURITY_POLICY.strip()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


# A request id a client (or the proxy in front) may choose: short, and nothing that could
# break a log line or a header.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class ReferenceMemoMiddleware:
    """Within a request, each reading of the reference tables (delivery methods to a country,
    a destination's duties, a currency's rate) is taken once, however often it is asked for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with reference_memo():
            return self.get_response(request)


class RequestIdMiddleware:
    """Names each request with a new id, or, where ``REQUEST_ID_FROM_HEADER`` says a load
    balancer sets it, the ``X-Request-ID`` it came with when that looks safe. The id is set for
    everything the request does (its log lines, the tasks it queues, the audit rows it writes)
    and returned in the response's ``X-Request-ID``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        given = request.headers.get("X-Request-ID", "") if settings.REQUEST_ID_FROM_HEADER else ""
        request_id = given if SAFE_REQUEST_ID.fullmatch(given) else new_request_id()
        token = request_id_set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestMetricsMiddleware:
    """Times each request for ``/metrics``: GraphQL requests by operation, others by the name
    of the URL they resolved to (market.core.metrics)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        request_observe(request, response.status_code, time.perf_counter() - started)
        return response

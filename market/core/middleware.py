from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.http.response import HttpResponseBase


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

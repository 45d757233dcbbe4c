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

        def counter(execute: Callable[..., Any], sql: str, params: Any, many: bool,
                    context: dict[str, Any]) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-SQL-Queries"] = str(count)
        return response


class ContentSecurityPolicyMiddleware:
    """Sends ``MARKET_CONTENT_SECURITY_POLICY`` with every response that has none, the admin's
    pages included, so that a script injected into a page cannot run or send data elsewhere.

    The GraphQL endpoint is left out: GraphiQL's page runs inline scripts from a CDN, and the
    API's JSON is never rendered by a browser as a page. One fixed header, no nonces: the
    admin needs nothing more, so django-csp would add a dependency for no gain.
    """

    exempt_url_names = frozenset({"graphql"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.policy = settings.MARKET_CONTENT_SECURITY_POLICY.strip()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (self.policy and "Content-Security-Policy" not in response
                and (match is None or match.url_name not in self.exempt_url_names)):
            response["Content-Security-Policy"] = self.policy
        return response

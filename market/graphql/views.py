import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import cast

import psycopg
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView, HttpError
from graphene_file_upload.django import FileUploadGraphQLView
from graphene_file_upload.utils import place_files_in_operations
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.validation.validate import ValidationAbortedError

from market.core.catalogue_cache import (
    CatalogueAnswer,
    catalogue_answer_get,
    catalogue_answer_set,
    catalogue_cache_enabled,
)
from market.core.json_limits import json_storable
from market.core.metrics import graphql_request_mark
from market.graphql.core.errors import (
    ApiErrorCode,
    BadRequest,
    format_error,
    is_database_unavailable,
)
from market.graphql.core.response_cache import catalogue_answer_key, operation_is_catalogue_read
from market.graphql.core.validation import query_limits_rules
from market.graphql.schema import schema

# Clients send the same few documents over and over: parse and validate each once per process.
# Long documents are not kept, so a client cannot fill memory with unique queries.
CACHEABLE_QUERY_LENGTH = 20_000
# What a POST may carry: JSON, a bare GraphQL document, or the multipart upload spec. HTML forms
# (urlencoded, text/plain) are refused: a browser sends those cross-site without asking.
ACCEPTED_CONTENT_TYPES = ("application/json", "application/graphql", "multipart/form-data")


def _parse(query: str, max_tokens: int) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    try:
        return parse(query, max_tokens=max_tokens), ()
    except GraphQLError as error:
        if "Parsing aborted" in error.message:  # too many tokens, or nested too deeply
            code = (
                ApiErrorCode.QUERY_TOO_DEEP
                if "nested" in error.message
                else ApiErrorCode.QUERY_TOO_LARGE
            )
            error.extensions = {"code": code.value}
        return None, (error,)


@lru_cache(maxsize=256)
def _parse_cached(
    query: str, max_tokens: int
) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    return _parse(query, max_tokens)


def parse_query(query: str) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    """The document, or why it cannot be read. Parsing stops at ``GRAPHQL_MAX_TOKENS`` (the
    storefront's largest document has 131 tokens, the introspection query 163), so a huge
    document is refused before it is read to the end."""
    if len(query) > CACHEABLE_QUERY_LENGTH:
        return _parse(query, settings.GRAPHQL_MAX_TOKENS)
    return _parse_cached(query, settings.GRAPHQL_MAX_TOKENS)


def _validate(document: DocumentNode, rules, *, aborted: ApiErrorCode) -> tuple[GraphQLError, ...]:
    """graphql-core's ``validate`` without its name suggestions where production hides them.
    Validation it aborts (fragments nested past what it can walk, or too much work comparing
    fields) gets ``aborted`` as its code."""
    errors = validate(
        schema.graphql_schema,
        document,
        rules,
        hide_suggestions=not settings.GRAPHQL_FIELD_SUGGESTIONS,
    )
    for error in errors:
        if isinstance(error, ValidationAbortedError) and not error.extensions:
            error.extensions = {
                "code": (
                    aborted
                    if error.message == "Validation aborted."
                    else ApiErrorCode.GRAPHQL_VALIDATION_FAILED
                ).value
            }
    return tuple(errors)


@lru_cache(maxsize=256)
def _validate_cached(query: str, hide_suggestions: bool) -> tuple[GraphQLError, ...]:
    # hide_suggestions is part of the key only: the errors kept must match the setting.
    document, _errors = _parse_cached(query, settings.GRAPHQL_MAX_TOKENS)
    # Only a query that parsed is validated, and its parse is in the same cache.
    return _validate(
        cast(DocumentNode, document), specified_rules, aborted=ApiErrorCode.QUERY_TOO_COSTLY
    )


def validate_limits(
    query: str, document: DocumentNode, variables: dict | None
) -> tuple[GraphQLError, ...]:
    """The query limits (``query_limits_rules``) for this request. Of the variables they read
    only the integers (page sizes) and whether the others are given, and a few settings: the
    same document with the same page sizes is measured once per process."""
    if len(query) > CACHEABLE_QUERY_LENGTH:
        return _validate(
            document, query_limits_rules(variables), aborted=ApiErrorCode.QUERY_TOO_DEEP
        )
    page_sizes = tuple(
        sorted(
            (name, value if value is None or type(value) is int else "given")
            for name, value in (variables or {}).items()
        )
    )
    limits = (
        settings.GRAPHQL_MAX_ALIASES,
        settings.GRAPHQL_MAX_ROOT_FIELDS,
        settings.GRAPHQL_MAX_DEPTH,
        settings.GRAPHQL_MAX_COST,
        settings.GRAPHQL_INTROSPECTION,
        settings.GRAPHQL_FIELD_SUGGESTIONS,
    )
    return _validate_limits_cached(query, page_sizes, limits)


@lru_cache(maxsize=256)
def _validate_limits_cached(
    query: str, page_sizes: tuple[tuple[str, int | str | None], ...], limits: tuple
) -> tuple[GraphQLError, ...]:
    # ``limits`` is part of the key only: the errors kept must match the settings.
    document, _errors = _parse_cached(query, settings.GRAPHQL_MAX_TOKENS)
    return _validate(
        cast(DocumentNode, document),
        query_limits_rules(dict(page_sizes)),
        aborted=ApiErrorCode.QUERY_TOO_DEEP,
    )


def validate_query(query: str, document: DocumentNode) -> tuple[GraphQLError, ...]:
    """graphql-core's own rules, once the query limits have let the document through."""
    if len(query) > CACHEABLE_QUERY_LENGTH:
        return _validate(document, specified_rules, aborted=ApiErrorCode.QUERY_TOO_COSTLY)
    return _validate_cached(query, not settings.GRAPHQL_FIELD_SUGGESTIONS)


@contextmanager
def api_statement_timeout() -> Iterator[None]:
    """Each SQL statement of an API request is stopped by PostgreSQL after
    ``API_STATEMENT_TIMEOUT_MS``: no request holds an API process for long.

    Set for the request and reset after it: connections are kept between requests and also
    serve the admin, and Celery workers and management commands never get it. Like Django's own
    session set-up (time zone, role), it goes through the driver's connection, so it is not one
    of the request's queries that tests and ``X-SQL-Queries`` count.
    """
    timeout = settings.API_STATEMENT_TIMEOUT_MS
    if not timeout or connection.vendor != "postgresql":
        yield
        return
    # A kept connection the server dropped (a restart) is replaced here, as a query's cursor
    # would be: the raw connection below would otherwise fail every request until it is too old.
    connection.close_if_health_check_failed()
    with connection.wrap_database_errors:
        connection.ensure_connection()
        session = connection.connection
        session.execute(f"SET statement_timeout = {int(timeout)}")
    try:
        yield
    finally:
        try:
            session.execute("RESET statement_timeout")
        except psycopg.Error:
            # Only inside a transaction that failed (a test's, never a request's): its
            # rollback undoes the SET as well.
            pass


@method_decorator(csrf_exempt, name="dispatch")
class MarketGraphQLView(FileUploadGraphQLView):
    """``/graphql/``: graphene's view (with multipart uploads), cached parsing, query limits and
    coded errors. It is exempt from CSRF checks, so it trusts only bearer tokens, never the
    admin's session cookie; GraphiQL is served only where ``GRAPHQL_GRAPHIQL`` allows it."""

    # Our own page: GraphiQL from our static files, not graphene's CDN (offline, and under the
    # Content-Security-Policy).
    graphiql_template = "graphiql/graphiql.html"

    def dispatch(self, request, *args, **kwargs):
        # Whatever the Authorization header holds, the session's user is never this request's.
        # (bearer_user stays lazy: a public query never decodes the token.)
        bearer_user = getattr(request, "bearer_user", None)
        request.user = AnonymousUser() if bearer_user is None else bearer_user
        # graphene's dispatch without its ensure_csrf_cookie: this view trusts no cookie (it is
        # exempt from CSRF checks) and GraphiQL sends none, so a CSRF cookie on every answer
        # only cost each request a new token.
        response = GraphQLView.dispatch.__wrapped__(self, request, *args, **kwargs)
        if getattr(request, "market_database_unavailable", False):
            response["Retry-After"] = "5"
        if getattr(request, "catalogue_answer_hit", False):
            response["X-Catalogue-Cache"] = "hit"
        return response

    def can_display_graphiql(self, request, data):
        return settings.GRAPHQL_GRAPHIQL and super().can_display_graphiql(request, data)

    def parse_body(self, request):
        content_type = self.get_content_type(request)
        if request.method != "POST":
            return {}
        if content_type not in ACCEPTED_CONTENT_TYPES:
            raise BadRequest(
                f"POST bodies must be application/json (or application/graphql, or "
                f"multipart/form-data for uploads), not {content_type or 'untyped'}.",
                ApiErrorCode.UNSUPPORTED_MEDIA_TYPE,
                status=415,
            )
        if content_type == "multipart/form-data":
            return self._parse_multipart(request)
        try:
            return GraphQLView.parse_body(self, request)
        except UnicodeDecodeError:  # an application/graphql body graphene decodes unguarded
            raise BadRequest("The body is not UTF-8.") from None
        except RecursionError:
            raise BadRequest("The JSON body is nested too deeply.") from None

    @staticmethod
    def _parse_multipart(request) -> dict:
        """The GraphQL multipart request spec: ``operations`` (JSON), ``map`` (JSON: file key →
        paths of null variables) and the files. Anything else is a bad request, not a crash in
        graphene-file-upload."""
        if "operations" not in request.POST:
            raise BadRequest(
                "A multipart request needs 'operations' and 'map' "
                "(the GraphQL multipart request spec)."
            )
        try:
            operations = json.loads(request.POST["operations"])
            files_map = json.loads(request.POST.get("map", "{}"))
        except (ValueError, RecursionError):
            raise BadRequest("'operations' and 'map' must be JSON.") from None
        if not isinstance(operations, dict) or not isinstance(files_map, dict):
            raise BadRequest("'operations' and 'map' must be JSON objects.")
        for key, paths in files_map.items():
            if key not in request.FILES:
                raise BadRequest(f"'map' names the file {key!r}, which was not sent.")
            if not isinstance(paths, list) or not all(
                isinstance(path, str) and path.startswith("variables.") for path in paths
            ):
                raise BadRequest(
                    f"'map' entry {key!r} must list paths of variables (\"variables.<name>\")."
                )
        try:
            return place_files_in_operations(operations, files_map, request.FILES)
        except (ValueError, KeyError, IndexError, TypeError):
            raise BadRequest("A path in 'map' does not lead to a null variable.") from None

    def get_graphql_params(self, request, data):
        if isinstance(data, dict) and data.get("variables") == "":
            data = {**data, "variables": None}
        query, variables, operation_name, id = super().get_graphql_params(request, data)
        if query is not None and not isinstance(query, str):
            raise BadRequest("'query' must be a string.")
        if variables is not None and not isinstance(variables, dict):
            raise BadRequest("'variables' must be a JSON object.")
        if operation_name is not None and not isinstance(operation_name, str):
            raise BadRequest("'operationName' must be a string.")
        if not json_storable([query, operation_name, variables]):
            raise BadRequest(
                "Strings may not contain the NUL character (\\u0000) or an unpaired "
                "surrogate, and numbers must be finite."
            )
        return query, variables, operation_name, id

    def get_response(self, request, data, show_graphiql=False):
        """An anonymous visitor's catalogue read is answered from the shared cache when it
        holds the answer, before the document is even parsed; one computed here is kept."""
        key = None
        if (
            catalogue_cache_enabled()
            and not show_graphiql
            and not self.batch
            and "HTTP_AUTHORIZATION" not in request.META
        ):
            query, variables, operation_name, _id = self.get_graphql_params(request, data)
            if isinstance(query, str) and len(query) <= CACHEABLE_QUERY_LENGTH:
                key = catalogue_answer_key(
                    request,
                    audience="api",
                    document=query,
                    operation_name=operation_name,
                    variables=variables,
                )
                body = catalogue_answer_get(key)
                if body is not None:
                    request.catalogue_answer_hit = True
                    # It was kept only after its document validated (the key holds the schema).
                    document, _errors = parse_query(query)
                    operation = get_operation_ast(document, operation_name) if document else None
                    graphql_request_mark(
                        request,
                        valid=operation is not None,
                        operation_name=operation.name.value
                        if operation and operation.name
                        else None,
                        ok=True,
                        cached=True,
                    )
                    return body, 200
        request.catalogue_answer_key = key
        result, status_code = super().get_response(request, data, show_graphiql)
        if getattr(request, "market_database_unavailable", False):
            # Load balancers and clients retry a 503; the body says the same with its code.
            status_code = 503
        answer = getattr(request, "catalogue_answer", None)
        if answer is not None and answer.complete and status_code == 200 and result:
            catalogue_answer_set(answer, result)
        return result, status_code

    def execute_graphql_request(
        self, request, data, query, variables, operation_name, show_graphiql=False
    ):
        result = self._execute_graphql_request(
            request, data, query, variables, operation_name, show_graphiql
        )
        if result is not None and any(
            is_database_unavailable(getattr(error, "original_error", None) or error)
            for error in result.errors or ()
        ):
            request.market_database_unavailable = True
        if result is not None:
            operation = getattr(request, "graphql_operation", None)
            graphql_request_mark(
                request,
                valid=operation is not None,
                operation_name=operation.name.value if operation and operation.name else None,
                ok=not result.errors,
            )
        return result

    def _execute_graphql_request(
        self, request, data, query, variables, operation_name, show_graphiql=False
    ):
        if not query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseBadRequest("Must provide query string."))
        document, errors = parse_query(query)
        if errors or document is None:
            return ExecutionResult(data=None, errors=list(errors))
        operation = get_operation_ast(document, operation_name)
        if (
            request.method.lower() == "get"
            and operation is not None
            and operation.operation != OperationType.QUERY
        ):
            if show_graphiql:
                return None
            raise HttpError(HttpResponseNotAllowed(["POST"], "Mutations need a POST request."))
        # Cheap, linear limits first (page sizes may come from this request's variables).
        limit_errors = validate_limits(query, document, variables)
        if limit_errors:
            return ExecutionResult(data=None, errors=list(limit_errors))
        errors = validate_query(query, document)
        if errors:
            return ExecutionResult(data=None, errors=list(errors))
        # What ran, for the metrics (market.core.metrics): only a document that validated.
        request.graphql_operation = operation
        key = getattr(request, "catalogue_answer_key", None)
        if key is not None and operation_is_catalogue_read(operation):
            # Started before the first read: a change committed after it is not kept.
            request.catalogue_answer = CatalogueAnswer(key=key)
        try:
            with api_statement_timeout():
                result = execute(
                    schema.graphql_schema,
                    document,
                    root_value=self.get_root_value(request),
                    context_value=self.get_context(request),
                    variable_values=variables,
                    operation_name=operation_name,
                    middleware=self.get_middleware(request),
                    hide_suggestions=not settings.GRAPHQL_FIELD_SUGGESTIONS,
                )
        except Exception as error:  # graphql-core reports resolver errors itself; this is a bug
            # format_error shapes any exception (a fixed message, the traceback logged).
            return ExecutionResult(errors=[cast(GraphQLError, error)])
        answer = getattr(request, "catalogue_answer", None)
        if answer is not None:
            answer.complete = isinstance(result, ExecutionResult) and not result.errors
        return result

    @staticmethod
    def format_error(error):
        return format_error(error)

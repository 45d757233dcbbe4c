"""The storefront's one way to the data: the public GraphQL API, run in-process.

Each page runs an operation document kept in ``graphql/operations/storefront/`` against the
same schema the ``/graphql/`` endpoint serves, with the visitor's request as the context (so
the API's permission checks, limits and error codes are the page's). There is no HTTP hop:
a document is read, parsed and validated once per process, then only executed.

``run`` answers the operation's ``data``. A top-level error is not the visitor's fault on a
page (the documents are ours): ``unauthenticated`` and ``permission_denied`` become
``SignInRequired`` / ``PermissionDenied`` (the views send the visitor to sign in, or answer
403); anything else raises ``ApiError``, a 500 with the API's message logged.
A mutation's own ``errors`` (field, code, message) are data: the view shows them at the field.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    execute,
    get_operation_ast,
    parse,
    validate,
)

from market.core.catalogue_cache import (
    CatalogueAnswer,
    catalogue_answer_get,
    catalogue_answer_set,
    catalogue_cache_enabled,
)
from market.core.errors import CoreErrorCode
from market.graphql.core.errors import ApiErrorCode, format_error
from market.graphql.core.response_cache import catalogue_answer_key, operation_is_catalogue_read
from market.graphql.schema import schema

OPERATIONS_DIR = Path(settings.BASE_DIR) / "graphql" / "operations" / "storefront"


class ApiError(Exception):
    """A top-level error from one of our own documents: a bug, never the visitor's input."""

    def __init__(self, operation: str, errors: list[GraphQLError]) -> None:
        self.operation = operation
        self.errors = errors
        super().__init__(f"{operation}: " + "; ".join(error.message for error in errors))


class SignInRequired(Exception):
    """The operation needs a signed-in visitor."""


@cache
def operation_document(name: str) -> DocumentNode:
    """``graphql/operations/storefront/<name>.graphql``, parsed and validated against the
    schema once per process. An invalid document fails here, loudly (and in the tests)."""
    path = OPERATIONS_DIR / f"{name}.graphql"
    document = parse(path.read_text(encoding="utf-8"))
    errors = validate(schema.graphql_schema, document)
    if errors:
        raise ApiError(name, list(errors))
    return document


@cache
def _is_catalogue_read(name: str) -> bool:
    return operation_is_catalogue_read(get_operation_ast(operation_document(name)))


def run(request: HttpRequest, name: str, **variables: Any) -> dict[str, Any]:
    """Run the storefront operation ``name`` as the visitor of ``request``; its ``data``.

    A catalogue read by a visitor who is not signed in is answered from the shared cache when
    it holds the answer (``market.core.catalogue_cache``), as the ``/graphql/`` endpoint does.
    Prices asked for in a currency whose rate is not known yet come in the base currency
    instead (``request.storefront_currency`` says which one the page shows)."""
    given = {key: value for key, value in variables.items() if value is not None}
    answer = None
    user = getattr(request, "user", None)
    if (
        catalogue_cache_enabled()
        and (user is None or not user.is_authenticated)
        and _is_catalogue_read(name)
    ):
        document = operation_document(name)
        key = catalogue_answer_key(
            request,
            audience="storefront",
            document=document.loc.source.body if document.loc else name,
            operation_name=name,
            variables=given,
        )
        body = catalogue_answer_get(key)
        if body is not None:
            return json.loads(body)
        answer = request.catalogue_answer = CatalogueAnswer(key=key)  # type: ignore[attr-defined]
    try:
        result = execute(
            schema.graphql_schema,
            operation_document(name),
            context_value=request,
            variable_values=given,
        )
    finally:
        request.__dict__.pop("catalogue_answer", None)
    assert isinstance(result, ExecutionResult)  # no resolver of ours is async
    if answer is not None and not result.errors:
        catalogue_answer_set(answer, json.dumps(result.data, separators=(",", ":")))
    if result.errors:
        codes = {format_error(error).get("extensions", {}).get("code") for error in result.errors}
        if codes == {CoreErrorCode.NO_EXCHANGE_RATE.value} and variables.get("currency"):
            request.storefront_currency = settings.MARKET_BASE_CURRENCY  # type: ignore[attr-defined]
            return run(request, name, **{**variables, "currency": None})
        if ApiErrorCode.UNAUTHENTICATED.value in codes:
            raise SignInRequired(name)
        if ApiErrorCode.PERMISSION_DENIED.value in codes:
            raise PermissionDenied(name)
        raise ApiError(name, list(result.errors))
    return result.data or {}


def field_errors(payload: dict[str, Any] | None) -> dict[str, list[str]]:
    """A mutation payload's ``errors`` as ``{field: [message, ...]}`` for a form ("" for errors
    that belong to no field)."""
    found: dict[str, list[str]] = {}
    for error in (payload or {}).get("errors") or []:
        found.setdefault(error.get("field") or "", []).append(error["message"])
    return found

import logging
from enum import StrEnum
from typing import Any, TypeGuard

import psycopg
from django.db import DatabaseError, InterfaceError
from django.http import HttpResponse
from graphene_django.views import HttpError
from graphql import GraphQLError
from psycopg.errors import QueryCanceled

from market.core.errors import DomainError

logger = logging.getLogger(__name__)

# A bug's own words (an exception's text: SQL, a file, a value) are for the log, not for clients.
INTERNAL_ERROR_MESSAGE = "An internal error occurred; it has been logged."
# A lost connection rolls back the request's transaction; a mutation's idempotency key (where
# it has one) makes asking again safe even if the commit itself was what failed.
SERVICE_UNAVAILABLE_MESSAGE = (
    "The service lost its connection to the database and stopped this request. "
    "Try again in a moment."
)


class ApiErrorCode(StrEnum):
    INVALID_ARGUMENT = "invalid_argument"
    INVALID_CURSOR = "invalid_cursor"
    PAGE_SIZE_EXCEEDED = "page_size_exceeded"
    QUERY_TOO_DEEP = "query_too_deep"
    QUERY_TOO_COSTLY = "query_too_costly"
    QUERY_TOO_LARGE = "query_too_large"
    TOO_MANY_ALIASES = "too_many_aliases"
    TOO_MANY_ROOT_FIELDS = "too_many_root_fields"
    INTROSPECTION_DISABLED = "introspection_disabled"
    QUERY_TIMEOUT = "query_timeout"
    SERVICE_UNAVAILABLE = "service_unavailable"
    BAD_REQUEST = "bad_request"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    GRAPHQL_VALIDATION_FAILED = "graphql_validation_failed"
    UNAUTHENTICATED = "unauthenticated"
    PERMISSION_DENIED = "permission_denied"


_HTTP_STATUS_CODES = {
    405: ApiErrorCode.METHOD_NOT_ALLOWED,
    415: ApiErrorCode.UNSUPPORTED_MEDIA_TYPE,
}


class BadRequest(HttpError):
    """A request the endpoint cannot read (not a GraphQL error): answered with ``status`` and
    ``{"errors": [{"message", "extensions": {"code"}}]}``."""

    def __init__(
        self, message: str, code: ApiErrorCode = ApiErrorCode.BAD_REQUEST, status: int = 400
    ):
        super().__init__(HttpResponse(status=status), message)
        self.code = code


def argument_error(
    argument: str, message: str, code: StrEnum | str = ApiErrorCode.INVALID_ARGUMENT
) -> GraphQLError:
    """A top-level error for a bad query argument; ``extensions`` carry code and argument."""
    return GraphQLError(message, extensions={"code": str(code), "field": argument})


def _is_statement_timeout(error: BaseException | None) -> bool:
    return isinstance(error, DatabaseError) and isinstance(error.__cause__, QueryCanceled)


# SQLSTATEs of a connection the server ended or would not accept: admin shutdown (a fast
# restart), crash shutdown, "the database system is starting up". Class 08 is a connection
# exception; a failure the driver saw itself (a reset socket) has no SQLSTATE.
_CONNECTION_LOST_STATES = {"57P01", "57P02", "57P03"}


def is_database_unavailable(error: BaseException | None) -> TypeGuard[BaseException]:
    """The database connection failed (dropped, refused, the server restarting), as opposed to
    a statement the database refused or stopped: the request may be tried again as it was."""
    if isinstance(error, DatabaseError) and isinstance(error.__cause__, psycopg.Error):
        error = error.__cause__  # Django's wrapper around the driver's error
    if isinstance(error, InterfaceError | psycopg.InterfaceError):
        return True
    if not isinstance(error, psycopg.OperationalError):
        return False
    state = error.sqlstate
    return state is None or state.startswith("08") or state in _CONNECTION_LOST_STATES


def format_error(error: Exception) -> dict[str, Any]:
    """Shape every error as ``{message, locations, path, extensions: {code, field}}``."""
    if isinstance(error, HttpError):
        code = getattr(error, "code", None) or _HTTP_STATUS_CODES.get(
            error.response.status_code, ApiErrorCode.BAD_REQUEST
        )
        return {"message": error.message, "extensions": {"code": str(code)}}
    if is_database_unavailable(error):
        _log_database_unavailable(error, path=None)
        return {
            "message": SERVICE_UNAVAILABLE_MESSAGE,
            "extensions": {"code": ApiErrorCode.SERVICE_UNAVAILABLE.value},
        }
    if not isinstance(error, GraphQLError):
        _log_internal_error(error, path=None)
        return {"message": INTERNAL_ERROR_MESSAGE, "extensions": {"code": "internal_error"}}
    formatted: dict[str, Any] = dict(error.formatted)
    original = error.original_error
    extensions = dict(formatted.get("extensions") or {})
    if isinstance(original, DomainError):
        extensions.update(code=original.code, field=original.field)
        formatted["message"] = original.message
    elif _is_statement_timeout(original):
        extensions["code"] = ApiErrorCode.QUERY_TIMEOUT.value
        formatted["message"] = (
            "The database took too long to answer and the request was stopped; nothing it was "
            "changing was kept. Ask for less (smaller pages, a narrower filter)."
        )
    elif is_database_unavailable(original):
        _log_database_unavailable(original, path=error.path)
        extensions["code"] = ApiErrorCode.SERVICE_UNAVAILABLE.value
        formatted["message"] = SERVICE_UNAVAILABLE_MESSAGE
    elif isinstance(original, GraphQLError):
        # graphql-core's and graphene's own words (a variable that does not fit its type, an
        # argument check) are meant for the client; ours carry their code.
        extensions.update(original.extensions or {})
        extensions.setdefault("code", ApiErrorCode.GRAPHQL_VALIDATION_FAILED.value)
    elif original is not None and not error.path:
        # A scalar refused a value of the document or its variables with a Python exception,
        # before any resolver ran (resolvers' errors have a path): the client's error, but the
        # exception's text is not for clients.
        extensions.setdefault("code", ApiErrorCode.GRAPHQL_VALIDATION_FAILED.value)
        formatted["message"] = _without_exception_text(formatted["message"], original)
    elif original is not None:
        _log_internal_error(original, path=error.path)
        extensions.setdefault("code", "internal_error")
        formatted["message"] = INTERNAL_ERROR_MESSAGE
    else:
        # A syntax or validation error of graphql-core's.
        extensions.setdefault("code", ApiErrorCode.GRAPHQL_VALIDATION_FAILED.value)
    formatted["extensions"] = extensions
    return formatted


def _without_exception_text(message: str, original: Exception) -> str:
    text = str(original)
    if text and message.endswith(text):
        message = message[: -len(text)].rstrip("; ")
        return message if message.endswith(".") else f"{message}."
    return message


def _log_internal_error(error: BaseException, *, path) -> None:
    logger.error(
        "Internal error answering %s",
        ".".join(map(str, path or ())) or "a request",
        exc_info=(type(error), error, error.__traceback__),
    )


def _log_database_unavailable(error: BaseException, *, path) -> None:
    logger.error(
        "The database did not answer %s: %s: %s",
        ".".join(map(str, path or ())) or "a request",
        type(error).__name__,
        error,
    )

from enum import StrEnum

from django.db import DatabaseError
from django.http import HttpResponse
from graphene_django.views import HttpError
from graphql import GraphQLError
from psycopg.errors import QueryCanceled

from market.core.errors import DomainError


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

    def __init__(self, message: str, code: ApiErrorCode = ApiErrorCode.BAD_REQUEST,
                 status: int = 400):
        super().__init__(HttpResponse(status=status), message)
        self.code = code


def argument_error(argument: str, message: str, code: StrEnum | str = ApiErrorCode.INVALID_ARGUMENT
                   ) -> GraphQLError:
    """A top-level error for a bad query argument; ``extensions`` carry code and argument."""
    return GraphQLError(message, extensions={"code": str(code), "field": argument})


def _is_statement_timeout(error: BaseException | None) -> bool:
    return isinstance(error, DatabaseError) and isinstance(error.__cause__, QueryCanceled)


def format_error(error: Exception) -> dict:
    """Shape every error as ``{message, locations, path, extensions: {code, field}}``."""
    if isinstance(error, HttpError):
        code = getattr(error, "code", None) or _HTTP_STATUS_CODES.get(
            error.response.status_code, ApiErrorCode.BAD_REQUEST)
        return {"message": error.message, "extensions": {"code": str(code)}}
    if not isinstance(error, GraphQLError):
        return {"message": str(error), "extensions": {"code": "internal_error"}}
    formatted = error.formatted
    original = error.original_error
    extensions = dict(formatted.get("extensions") or {})
    if isinstance(original, DomainError):
        extensions.update(code=original.code, field=original.field)
        formatted["message"] = original.message
    elif _is_statement_timeout(original):
        extensions["code"] = ApiErrorCode.QUERY_TIMEOUT.value
        formatted["message"] = (
            "The database took too long to answer and the request was stopped; nothing it was "
            "changing was kept. Ask for less (smaller pages, a narrower filter).")
    elif original is not None and not isinstance(original, GraphQLError):
        extensions.setdefault("code", "internal_error")
    else:
        # graphql-core's own: a syntax or validation error, or a variable that does not fit
        # its type (raised as a GraphQLError wrapping another).
        if isinstance(original, GraphQLError):
            extensions.update(original.extensions or {})
        extensions.setdefault("code", ApiErrorCode.GRAPHQL_VALIDATION_FAILED.value)
    formatted["extensions"] = extensions
    return formatted

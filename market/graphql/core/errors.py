import logging
from enum import StrEnum

from graphql import GraphQLError

from market.core.errors import DomainError

logger = logging.getLogger(__name__)

# A bug's own words (an exception's text: SQL, a file, a value) are for the log, not for clients.
INTERNAL_ERROR_MESSAGE = "An internal error occurred; it has been logged."


class ApiErrorCode(StrEnum):
    INVALID_ARGUMENT = "invalid_argument"
    INVALID_CURSOR = "invalid_cursor"
    PAGE_SIZE_EXCEEDED = "page_size_exceeded"
    QUERY_TOO_DEEP = "query_too_deep"
    QUERY_TOO_COSTLY = "query_too_costly"
    GRAPHQL_VALIDATION_FAILED = "graphql_validation_failed"
    UNAUTHENTICATED = "unauthenticated"
    PERMISSION_DENIED = "permission_denied"


def argument_error(argument: str, message: str, code: StrEnum | str = ApiErrorCode.INVALID_ARGUMENT
                   ) -> GraphQLError:
    """A top-level error for a bad query argument; ``extensions`` carry code and argument."""
    return GraphQLError(message, extensions={"code": str(code), "field": argument})


def format_error(error: Exception) -> dict:
    """Shape every error as ``{message, locations, path, extensions: {code, field}}``."""
    if not isinstance(error, GraphQLError):
        _log_internal_error(error, path=None)
        return {"message": INTERNAL_ERROR_MESSAGE, "extensions": {"code": "internal_error"}}
    formatted = error.formatted
    original = error.original_error
    extensions = dict(formatted.get("extensions") or {})
    if isinstance(original, DomainError):
        extensions.update(code=original.code, field=original.field)
        formatted["message"] = original.message
    elif isinstance(original, GraphQLError) and original.extensions:
        extensions.update(original.extensions)
    elif original is not None and not error.path:
        # A scalar refused a value of the document or its variables, checked before any
        # resolver runs (resolvers' errors have a path): the client's error. graphql-core ends
        # the message with the parser's own exception text, which is not for clients.
        extensions.setdefault("code", ApiErrorCode.GRAPHQL_VALIDATION_FAILED.value)
        formatted["message"] = _without_exception_text(formatted["message"], original)
    elif original is not None:
        _log_internal_error(original, path=error.path)
        extensions.setdefault("code", "internal_error")
        formatted["message"] = INTERNAL_ERROR_MESSAGE
    else:
        extensions.setdefault("code", ApiErrorCode.GRAPHQL_VALIDATION_FAILED.value)
    formatted["extensions"] = extensions
    return formatted


def _without_exception_text(message: str, original: Exception) -> str:
    text = str(original)
    if text and message.endswith(text):
        message = message[:-len(text)].rstrip("; ")
        return message if message.endswith(".") else f"{message}."
    return message


def _log_internal_error(error: BaseException, *, path) -> None:
    logger.error("Internal error answering %s", ".".join(map(str, path or ())) or "a request",
                 exc_info=(type(error), error, error.__traceback__))

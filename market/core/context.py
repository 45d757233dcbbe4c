"""The request id: one value that names a piece of work from the request that started it to the
last task it caused, so that its log lines can be found together.

The API sets it for each request (from a trusted ``X-Request-ID`` or a new one); the task queue
carries it in each message's headers (the outbox stores it with the message) and a worker sets it
again before the task runs. Logs read it with :func:`current_request_id`.
"""

import uuid
from contextvars import ContextVar, Token

_request_id: ContextVar[str | None] = ContextVar("market_request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return _request_id.get()


def request_id_set(value: str | None) -> Token[str | None]:
    """Sets the id for the current context; give the token to :func:`request_id_reset`."""
    return _request_id.set(value)


def request_id_reset(token: Token[str | None]) -> None:
    _request_id.reset(token)

"""A request body larger than ``MARKET_MAX_REQUEST_BYTES`` is refused before anyone reads it.

Without this, an anonymous client could send hundreds of megabytes that Django's multipart
parser writes to the temporary folder before the view says "sign in". The middleware sits first
in ``MIDDLEWARE`` and answers 413 with the API's error shape (code ``request_too_large``):

* when ``Content-Length`` declares more than the cap, at once, without reading a byte;
* when a body without a length (chunked, which a server such as gunicorn passes through with
  ``wsgi.input_terminated``) turns out longer than the cap while it is read: reading stops at
  the cap, whatever layer was reading is interrupted, and the answer becomes the 413.

A body longer than its declared length is never read past that length (Django's own
``LimitedStream``), so the cap holds for it too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from io import IOBase
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024


class RequestBodyTooLarge(RequestDataTooBig):
    """Raised inside whoever reads the body; Django answers it as a suspicious request (400,
    logged as a warning) and the middleware turns that answer into the 413."""


class CappedStream(IOBase):
    """Reads ``stream`` until it ends or ``limit`` bytes have passed, then refuses."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self._stream = stream
        self.limit = limit
        self.read_bytes = 0
        self.exceeded = False

    def _count(self, data: bytes) -> bytes:
        self.read_bytes += len(data)
        if self.read_bytes > self.limit:
            self.exceeded = True
            raise RequestBodyTooLarge(f"The request body is over {self.limit} bytes.")
        return data

    def read(self, size: int | None = -1, /) -> bytes:
        if self.exceeded:
            raise RequestBodyTooLarge(f"The request body is over {self.limit} bytes.")
        if size is not None and size >= 0:
            return self._count(self._stream.read(min(size, self.limit + 1 - self.read_bytes)))
        chunks = []
        while chunk := self._stream.read(CHUNK_BYTES):
            chunks.append(self._count(chunk))
        return b"".join(chunks)

    def readline(self, size: int | None = -1, /) -> bytes:
        if self.exceeded:
            raise RequestBodyTooLarge(f"The request body is over {self.limit} bytes.")
        room = self.limit + 1 - self.read_bytes
        size = room if size is None or size < 0 else min(size, room)
        return self._count(self._stream.readline(size))

    def readable(self) -> bool:
        return True


def request_too_large(limit: int) -> JsonResponse:
    message = f"The request body is larger than {limit} bytes."
    return JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": "request_too_large"}}]}, status=413
    )


def _declared_length(meta: Mapping[str, Any]) -> int | None:
    declared: Any = meta.get("CONTENT_LENGTH")
    try:
        return int(declared)
    except (TypeError, ValueError):
        return None


def _discard_uploads(request: HttpRequest) -> None:
    """Files a parser had started when the body was cut off: a temporary file is deleted as it
    is closed."""
    for handler in getattr(request, "_upload_handlers", None) or ():
        upload = getattr(handler, "file", None)
        if upload is not None:
            upload.close()


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        limit = settings.MARKET_MAX_REQUEST_BYTES
        length = _declared_length(request.META)
        if length is not None and length > limit:
            logger.warning("Refused a %s-byte body for %s (cap %s).", length, request.path, limit)
            return request_too_large(limit)
        stream = request._stream
        if length is None and request.META.get("wsgi.input_terminated"):
            # A body without a length: Django alone would read none of it.
            stream = request.META["wsgi.input"]
        capped = CappedStream(stream, limit)
        request._stream = cast(BinaryIO, capped)  # reads like the stream it wraps
        response = self.get_response(request)
        if capped.exceeded:
            logger.warning(
                "Refused a body over %s bytes for %s while reading it.", limit, request.path
            )
            _discard_uploads(request)
            response.close()
            return request_too_large(limit)
        return response

"""Log lines a collector can read: one JSON object per line, each naming the request (and the
task) it belongs to, so that everything one request caused can be found with its id.

``LOG_FORMAT`` (settings) chooses this formatter or the text one; both get ``request_id`` from
:class:`RequestIdFilter`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from celery import current_task

from market.core.context import current_request_id


class RequestIdFilter(logging.Filter):
    """Puts the current request id (``-`` outside a request or task) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id"?, "task"?, "task_id"?, "exc"?}``,
    one object per line: a message with line breaks (a traceback) stays one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id and request_id != "-":
            entry["request_id"] = request_id
        # Celery's proxy to the task running in this thread: false outside a task.
        if current_task and current_task.request.id is not None:
            entry["task"] = current_task.name
            entry["task_id"] = current_task.request.id
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

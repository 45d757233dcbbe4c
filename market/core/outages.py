"""A service this process found failing (the cache's Redis, the task broker, the database the
outbox relay reads): ask it less while it fails, and say so in the log without flooding it.

One rule for all of them. An outage is logged when it starts and then at most once every
``WARN_EVERY_SECONDS``, never once per call. After a failure the process may leave the service
alone for a pause of the caller's choosing. When it answers again, the caller hears how many
failures the outage counted (to log its end), and the next failure is logged at once.
"""

from __future__ import annotations

import threading
import time

WARN_EVERY_SECONDS = 60.0


class Outage:
    """One service's failures as this process saw them; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._warned_at: float | None = None
        self._paused_until = 0.0
        self._failures = 0

    def failed(self, *, pause: float = 0.0) -> int | None:
        """One more failure, after which the service is left alone for ``pause`` seconds.
        Returns the failures counted so far when a warning is due, else None."""
        now = time.monotonic()
        with self._lock:
            self._failures += 1
            self._paused_until = now + pause
            if self._warned_at is not None and now - self._warned_at < WARN_EVERY_SECONDS:
                return None
            self._warned_at = now
            return self._failures

    def pausing(self) -> bool:
        """Whether the pause after the last failure still runs."""
        return time.monotonic() < self._paused_until

    def recovered(self) -> int | None:
        """The service answered. Returns the failures of the outage that ended when one had
        been reported, else None."""
        if self._warned_at is None:  # no outage: the common case, without taking the lock
            return None
        with self._lock:
            if self._warned_at is None:
                return None
            failures, self._failures, self._warned_at = self._failures, 0, None
            self._paused_until = 0.0
        return failures

    def forget(self) -> None:
        """As if the service had never failed (tests)."""
        with self._lock:
            self._warned_at, self._paused_until, self._failures = None, 0.0, 0

"""Failed sign-ins counted per e-mail address in the shared cache (Redis in production).

A fixed window opens at the first failure: once ``LOGIN_MAX_FAILURES`` failures fall within
``LOGIN_FAILURE_WINDOW_SECONDS``, every attempt for that address is refused until the window
closes, so a password cannot be guessed by trying many. A successful sign-in closes the window.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(email: str) -> str:
    # Hashed: cache keys must be short and free of the characters an address may hold.
    return "accounts:login-failures:" + hashlib.sha256(email.encode()).hexdigest()


def login_is_throttled(*, email: str) -> bool:
    return (cache.get(_key(email)) or 0) >= settings.LOGIN_MAX_FAILURES


def login_failure_record(*, email: str) -> None:
    key = _key(email)
    cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    try:
        # Atomic on Redis, and keeps the window's expiry: concurrent failures all count.
        cache.incr(key)
    except ValueError:
        # The window closed between add() and incr(): this failure opens a new one.
        cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_failures_reset(*, email: str) -> None:
    cache.delete(_key(email))

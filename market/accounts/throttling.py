"""Limits on signing in and on password-reset e-mails, counted in the shared cache (Redis in
production) so that every API process and the admin share them.

Failed sign-ins are counted twice: per client address, and per account from that address. An
address over ``LOGIN_MAX_FAILURES_PER_CLIENT`` is refused for every account (one client trying
many e-mails); an account over ``LOGIN_MAX_FAILURES`` is refused only from the address that
failed, so someone guessing a person's password never locks that person out: its owner signs
in from their own address. Each count is a fixed window that opens at its first failure and
lasts ``LOGIN_FAILURE_WINDOW_SECONDS``. A success clears its account's count from that address,
never the address's earlier failures (else a client could interleave sign-ins to an account of
its own with guesses at others). Unknown e-mails are counted like known ones: a refusal says
nothing about which addresses have accounts.

Requests that make us e-mail an address on anyone's word (password reset, registration, the
verification link again) are counted per e-mail address asked for and per client address, every
request, known e-mail or not, in windows of ``ACCOUNT_EMAILS_WINDOW_SECONDS``: nobody can flood
a person's mailbox, and a refusal says nothing about which addresses have accounts.

The client's address is ``REMOTE_ADDR``; behind ``MARKET_TRUSTED_PROXY_COUNT`` proxies, the
first hop of ``X-Forwarded-For`` they did not add. An IPv6 address counts as its /64 network,
which a single client usually holds whole.
"""

from __future__ import annotations

import hashlib
import ipaddress

from django.conf import settings
from django.http import HttpRequest

from market.core.cache import limits

UNKNOWN_ADDRESS = "unknown"


def request_client_address(request: HttpRequest | None) -> str:
    """The address sign-in limits count for: the client, not a proxy in front of us."""
    meta = getattr(request, "META", {})
    address = meta.get("REMOTE_ADDR", "")
    trusted = settings.MARKET_TRUSTED_PROXY_COUNT
    if trusted > 0:
        hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if hops:
            # Each trusted proxy appended the hop it received from; the last one's own peer is
            # REMOTE_ADDR. What lies further left than they wrote, the client wrote itself.
            address = hops[-trusted] if len(hops) >= trusted else hops[0]
    return _address_normalize(address)


def _address_normalize(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return UNKNOWN_ADDRESS
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


# --- Signing in ----------------------------------------------------------------------------


def login_attempt_allowed(*, email: str, client_address: str) -> bool:
    """Counts this attempt as a failure before it is made, and says whether it is within both
    limits. Counting first (one atomic increment each) is what holds the limits under
    concurrency: attempts made at once each see the others, where a check before counting
    would let all of them through."""
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    per_client = _count(_address_key("login", client_address), window)
    per_account = _count(_account_key("login", email, client_address), window)
    client_limit: int = settings.LOGIN_MAX_FAILURES_PER_CLIENT
    account_limit: int = settings.LOGIN_MAX_FAILURES
    return per_client <= client_limit and per_account <= account_limit


def login_succeeded(*, email: str, client_address: str) -> None:
    """The attempt was no failure: the account starts afresh from this address, and the
    address's count takes the attempt back (it keeps its earlier failures)."""
    limits.delete(_account_key("login", email, client_address))
    try:
        limits.decr(_address_key("login", client_address))
    except ValueError:
        pass  # the window closed meanwhile


# --- E-mails anyone may ask for --------------------------------------------------------------


def account_email_allowed(*, email: str, client_address: str) -> bool:
    """Counts this request and says whether it is within both limits."""
    window = settings.ACCOUNT_EMAILS_WINDOW_SECONDS
    per_client = _count(_address_key("account-email", client_address), window)
    per_recipient = _count(_account_key("account-email", email, ""), window)
    client_limit: int = settings.ACCOUNT_EMAILS_MAX_PER_CLIENT
    recipient_limit: int = settings.ACCOUNT_EMAILS_MAX_PER_RECIPIENT
    return per_client <= client_limit and per_recipient <= recipient_limit


# --- Counters ------------------------------------------------------------------------------


def _address_key(action: str, client_address: str) -> str:
    return f"accounts:{action}:address:{_digest(client_address)}"


def _account_key(action: str, email: str, client_address: str) -> str:
    return f"accounts:{action}:account:{_digest(email + '|' + client_address)}"


def _digest(value: str) -> str:
    # Cache keys must be short and free of the characters an e-mail or address may hold.
    return hashlib.sha256(value.encode()).hexdigest()


def _count(key: str, window: int) -> int:
    """One more in the window that ``key`` opened (a new window if none is open); the new
    total."""
    limits.add(key, 0, timeout=window)
    try:
        # Atomic on Redis, and keeps the window's expiry: concurrent requests all count.
        return limits.incr(key)
    except ValueError:
        # The window closed between add() and incr(): this one opens a new one.
        limits.set(key, 1, timeout=window)
        return 1

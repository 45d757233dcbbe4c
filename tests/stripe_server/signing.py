"""Signing webhook payloads exactly as Stripe does, so tests can post what Stripe would."""

import hashlib
import hmac
import json
import time


def stripe_signature(payload: str | bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header: ``t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<payload>">``."""
    if isinstance(payload, bytes):
        payload = payload.decode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def post_webhook(
    client,
    event: dict | str | bytes,
    *,
    secret: str,
    timestamp: int | None = None,
    signature: str | None = None,
):
    """POST ``event`` to /webhooks/stripe/ signed with ``secret`` (or with ``signature``)."""
    payload = event if isinstance(event, str | bytes) else json.dumps(event)
    header = signature or stripe_signature(payload, secret, timestamp=timestamp)
    return client.post(
        "/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )

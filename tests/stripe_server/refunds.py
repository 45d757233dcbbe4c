"""Refunds for the local Stripe server: ``POST /v1/refunds`` of a succeeded PaymentIntent, in
Stripe's shapes, with ``server.state.refunds`` as store; and the ``charge.refunded`` event
Stripe would send afterwards (refunds made here or "in the dashboard").

Like Stripe's test cards, a PaymentIntent paid with ``pm_card_pendingRefund`` (4000 0000 0000
7726) has its refunds start ``pending``, and one paid with ``pm_card_refundFail`` (4000 0000 0000
5126) has them start ``succeeded`` and fail later; a test moves a refund on with
:func:`refund_update` and gets the event Stripe sends then with :func:`refund_event`. Failed
and canceled refunds no longer count against what is left to refund, as at Stripe.
"""

from __future__ import annotations

import json
import secrets
import time

ALLOWED_CREATE = {"payment_intent", "amount", "metadata", "reason"}
PENDING_REFUND = "pm_card_pendingRefund"
REFUND_FAILS = "pm_card_refundFail"
# Where a refund may go next, as Stripe moves it.
REFUND_MOVES = {
    "pending": {"succeeded", "failed", "canceled"},
    "requires_action": {"pending", "canceled"},
    "succeeded": {"failed"},
    "failed": set(),
    "canceled": set(),
}


def handle(server, method: str, path: str, params: dict) -> tuple[int, dict]:
    from tests.stripe_server.server import StripeApiError

    if method == "POST" and path == "/v1/refunds":
        return 200, create(server, params)
    raise StripeApiError(404, f"Unrecognized request URL ({method}: {path}).")


def refunded(server, intent_id: str) -> int:
    return sum(
        r["amount"]
        for r in server.state.refunds.values()
        if r["payment_intent"] == intent_id and r["status"] not in ("failed", "canceled")
    )


def create(server, params: dict) -> dict:
    """Refund (part of) a succeeded PaymentIntent; more than is left is refused like Stripe."""
    from tests.stripe_server.server import StripeApiError

    unknown = set(params) - ALLOWED_CREATE
    if unknown:
        raise StripeApiError(
            400,
            f"Received unknown parameter: {sorted(unknown)[0]}",
            code="parameter_unknown",
            param=sorted(unknown)[0],
        )
    intent = server.state.payment_intents.get(params.get("payment_intent") or "")
    if intent is None:
        raise StripeApiError(
            404,
            f"No such payment_intent: '{params.get('payment_intent')}'",
            code="resource_missing",
            param="payment_intent",
        )
    if intent["status"] != "succeeded":
        raise StripeApiError(
            400,
            "This PaymentIntent has no successful charge to refund.",
            code="charge_not_refundable",
            param="payment_intent",
        )
    left = intent["amount_received"] - refunded(server, intent["id"])
    amount = int(params.get("amount") or left)
    if amount <= 0 or amount > left:
        raise StripeApiError(
            400,
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
            code="amount_too_large",
            param="amount",
        )
    refund = {
        "id": f"re_{secrets.token_hex(12)}",
        "object": "refund",
        "amount": amount,
        "currency": intent["currency"],
        "payment_intent": intent["id"],
        "charge": intent["latest_charge"],
        "metadata": params.get("metadata") or {},
        "reason": params.get("reason"),
        "status": "pending" if intent.get("payment_method") == PENDING_REFUND else "succeeded",
        "failure_reason": None,
        "created": int(time.time()),
    }
    server.state.refunds[refund["id"]] = refund
    return refund


def dashboard_refund(server, intent_id: str, amount: int) -> dict:
    """Someone refunds in the Stripe dashboard (no metadata of ours)."""
    with server.lock:
        return create(server, {"payment_intent": intent_id, "amount": str(amount)})


def charge_refunded_object(server, intent_id: str) -> dict:
    """The charge of a PaymentIntent as a ``charge.refunded`` event shows it."""
    intent = server.state.payment_intents[intent_id]
    refunds = sorted(
        (r for r in server.state.refunds.values() if r["payment_intent"] == intent_id),
        key=lambda r: r["created"],
    )
    amount_refunded = refunded(server, intent_id)
    return {
        "id": intent["latest_charge"],
        "object": "charge",
        "amount": intent["amount"],
        "amount_refunded": amount_refunded,
        "currency": intent["currency"],
        "payment_intent": intent_id,
        "refunded": amount_refunded == intent["amount"],
        "refunds": {"object": "list", "data": [dict(r) for r in refunds], "has_more": False},
    }


def refund_update(
    server, refund_id: str, status: str, *, failure_reason: str | None = None
) -> dict:
    """Stripe settles a refund later: ``pending`` → ``succeeded`` / ``failed`` / ``canceled``,
    or a succeeded one fails (``pm_card_refundFail``). Returns the refund as it is now."""
    with server.lock:
        refund = server.state.refunds[refund_id]
        if status not in REFUND_MOVES[refund["status"]]:
            raise ValueError(f"A {refund['status']} refund cannot become {status}.")
        refund["status"] = status
        if status in ("failed", "canceled"):
            refund["failure_reason"] = failure_reason or (
                "merchant_request" if status == "canceled" else "expired_or_canceled_card"
            )
        return json.loads(json.dumps(refund))


def refund_event(
    server,
    refund_id: str,
    type: str = "charge.refund.updated",
    *,
    created: int | None = None,
    previous: dict | None = None,
) -> dict:
    """The event Stripe sends about a refund as it is now (``charge.refund.updated``,
    ``refund.updated``, ``refund.failed``…), ``previous`` its ``previous_attributes``."""
    from tests.stripe_server.server import webhook_event

    with server.lock:
        refund = json.loads(json.dumps(server.state.refunds[refund_id]))
    event = webhook_event(type, refund, created=created)
    event["data"]["previous_attributes"] = previous or {}
    return event

"""PaymentIntents for the local Stripe server: create, retrieve, confirm, in Stripe's shapes.

Confirming uses Stripe's test PaymentMethods: ``pm_card_visa`` succeeds,
``pm_card_chargeDeclined`` is declined (a ``card_error`` with code ``card_declined``, HTTP 402,
the PaymentIntent back to ``requires_payment_method`` with ``last_payment_error``), and
``pm_card_threeDSecure2Required`` / ``pm_card_authenticationRequired`` need 3-D Secure
(``requires_action`` until a test calls :func:`complete_action`).
"""

from __future__ import annotations

import re
import secrets
import time

# The last two pay like pm_card_visa; their refunds settle later (see refunds.py).
SUCCEEDS = {"pm_card_visa", "pm_card_mastercard", "pm_card_pendingRefund", "pm_card_refundFail"}
DECLINED = {
    "pm_card_chargeDeclined": ("card_declined", "generic_decline"),
    "pm_card_chargeDeclinedInsufficientFunds": ("card_declined", "insufficient_funds"),
}
NEEDS_ACTION = {"pm_card_threeDSecure2Required", "pm_card_authenticationRequired"}
ALLOWED_CREATE = {
    "amount",
    "currency",
    "transfer_group",
    "metadata",
    "payment_method_types",
    "description",
    "payment_method",
    "confirm",
    "receipt_email",
}


def handle(server, method: str, path: str, params: dict) -> tuple[int, dict]:
    """Requests under ``/v1/payment_intents``, with ``server.state.payment_intents`` as store."""
    from tests.stripe_server.server import StripeApiError

    if method == "POST" and path == "/v1/payment_intents":
        return 200, _create(server, params)
    match = re.fullmatch(r"/v1/payment_intents/([A-Za-z0-9_]+)(/confirm)?", path)
    if match and method == "GET" and not match.group(2):
        return 200, _intent(server, match.group(1))
    if match and method == "POST" and match.group(2):
        return 200, _confirm(server, _intent(server, match.group(1)), params.get("payment_method"))
    raise StripeApiError(404, f"Unrecognized request URL ({method}: {path}).")


def _intent(server, intent_id: str) -> dict:
    from tests.stripe_server.server import StripeApiError

    intent = server.state.payment_intents.get(intent_id)
    if intent is None:
        raise StripeApiError(
            404, f"No such payment_intent: '{intent_id}'", code="resource_missing", param="intent"
        )
    return intent


def _create(server, params: dict) -> dict:
    from tests.stripe_server.server import StripeApiError

    unknown = sorted(set(params) - ALLOWED_CREATE)
    if unknown:
        raise StripeApiError(400, f"Received unknown parameter: {unknown[0]}", param=unknown[0])
    amount = params.get("amount", "")
    if not amount.isdigit() or int(amount) < 1:
        raise StripeApiError(400, "Invalid positive integer", param="amount")
    currency = params.get("currency", "")
    if not re.fullmatch(r"[a-z]{3}", currency):
        raise StripeApiError(
            400, "Invalid currency: must be a lower-case ISO code", param="currency"
        )
    intent_id = f"pi_{secrets.token_hex(12)}"
    intent = {
        "id": intent_id,
        "object": "payment_intent",
        "amount": int(amount),
        "amount_received": 0,
        "currency": currency,
        "status": "requires_payment_method",
        "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
        "transfer_group": params.get("transfer_group"),
        "metadata": params.get("metadata") or {},
        "description": params.get("description"),
        "payment_method": None,
        "payment_method_types": params.get("payment_method_types") or ["card"],
        "latest_charge": None,
        "next_action": None,
        "last_payment_error": None,
        "created": int(time.time()),
        "livemode": False,
    }
    server.state.payment_intents[intent_id] = intent
    if params.get("confirm") == "true":
        return _confirm(server, intent, params.get("payment_method"))
    return intent


def _confirm(server, intent: dict, payment_method: str | None) -> dict:
    from tests.stripe_server.server import StripeApiError

    if intent["status"] not in ("requires_payment_method", "requires_confirmation"):
        raise StripeApiError(
            400,
            f"This PaymentIntent's status is {intent['status']}.",
            code="payment_intent_unexpected_state",
        )
    if not payment_method:
        raise StripeApiError(
            400,
            "You must provide a payment method.",
            code="parameter_missing",
            param="payment_method",
        )
    intent["payment_method"] = payment_method
    if payment_method in SUCCEEDS:
        return _succeed(intent)
    if payment_method in NEEDS_ACTION:
        intent.update(
            status="requires_action",
            next_action={
                "type": "use_stripe_sdk",
                "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": ""},
            },
        )
        return intent
    code, decline_code = DECLINED.get(payment_method, ("card_declined", "generic_decline"))
    error = {
        "type": "card_error",
        "code": code,
        "decline_code": decline_code,
        "message": "Your card was declined.",
        "payment_method": {"id": payment_method},
    }
    intent.update(status="requires_payment_method", payment_method=None, last_payment_error=error)
    refused = StripeApiError(402, "Your card was declined.", type="card_error", code=code)
    refused.body["error"].update(decline_code=decline_code, payment_intent=dict(intent))
    raise refused


def _succeed(intent: dict) -> dict:
    intent.update(
        status="succeeded",
        amount_received=intent["amount"],
        next_action=None,
        last_payment_error=None,
        latest_charge=f"ch_{secrets.token_hex(12)}",
    )
    return intent


def complete_action(server, intent_id: str, *, passed: bool = True) -> dict:
    """The buyer finishes 3-D Secure in the browser: the PaymentIntent succeeds, or goes back
    to ``requires_payment_method`` with an authentication failure."""
    with server.lock:
        intent = server.state.payment_intents[intent_id]
        if passed:
            _succeed(intent)
        else:
            intent.update(
                status="requires_payment_method",
                next_action=None,
                last_payment_error={
                    "type": "card_error",
                    "code": "payment_intent_authentication_failure",
                    "message": "We are unable to authenticate your payment method.",
                },
            )
        return dict(intent)

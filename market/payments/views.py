"""Stripe's webhook endpoint: verify the signature, store the event once, answer at once.

Processing happens in a worker (``payments.process_stripe_event``) after the event is committed.
Every refusal is a 4xx whose JSON body holds a ``code`` (``PaymentErrorCode``) and an ``error``
message, never an echo of the body or of an exception; a refused webhook stores nothing.
"""

import json
import logging
import time

import stripe
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from market.core.errors import DomainError
from market.core.json_limits import json_nesting_exceeds
from market.payments.error_codes import PaymentErrorCode
from market.payments.stripe_inbox import stripe_event_receive

logger = logging.getLogger(__name__)


class _Refused(Exception):
    def __init__(self, code: PaymentErrorCode, message: str, *, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _verify_signature(payload: bytes, header: str | None) -> None:
    """The signature is valid, recent, and made with the platform endpoint's secret or the
    Connect endpoint's (``STRIPE_CONNECT_WEBHOOK_SECRET``, when set).

    Stripe's SDK refuses a signature older than the tolerance, not one dated later than now:
    that too is refused, since a signature made for the future can be replayed until then."""
    secrets = [
        secret
        for secret in (settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_CONNECT_WEBHOOK_SECRET)
        if secret
    ]
    tolerance = settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS
    try:
        for secret in secrets[:-1]:
            try:
                stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=tolerance)
            except stripe.SignatureVerificationError:
                continue
            break
        else:
            stripe.WebhookSignature.verify_header(payload, header, secrets[-1], tolerance=tolerance)
    except stripe.SignatureVerificationError as error:
        logger.warning("Refused a Stripe webhook: %s", error.user_message or error)
        raise _Refused(
            PaymentErrorCode.INVALID_SIGNATURE,
            "The Stripe-Signature header does not match the body, or is too old.",
        ) from None
    except UnicodeDecodeError:
        raise _Refused(PaymentErrorCode.INVALID_EVENT, "The body is not UTF-8 text.") from None
    if _signed_at(header) > time.time() + tolerance:
        logger.warning("Refused a Stripe webhook signed in the future: %s", header)
        raise _Refused(
            PaymentErrorCode.INVALID_SIGNATURE,
            "The Stripe-Signature header is dated in the future.",
        )


def _signed_at(header: str) -> int:
    """The ``t=`` of a header that passed verification, read as the SDK reads it (the first
    ``t``, up to a second ``=``)."""
    return next(
        int(value.split("=")[0])
        for key, _, value in (item.partition("=") for item in header.split(","))
        if key == "t"
    )


def _body(request) -> bytes:
    """The raw body, refused unread when its declared length is over the limit."""
    limit = settings.STRIPE_WEBHOOK_MAX_BYTES
    too_large = _Refused(
        PaymentErrorCode.PAYLOAD_TOO_LARGE, f"A webhook body is at most {limit} bytes.", status=413
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise too_large
    try:
        payload = request.body
    except RequestDataTooBig:
        raise too_large from None
    if len(payload) > limit:
        raise too_large
    return payload


def _event(payload: bytes):
    """The parsed body of a verified webhook: JSON, nested no deeper than the limit."""
    depth = settings.STRIPE_WEBHOOK_MAX_DEPTH
    if json_nesting_exceeds(payload, limit=depth):
        raise _Refused(
            PaymentErrorCode.PAYLOAD_TOO_DEEP,
            f"A webhook body nests arrays and objects at most {depth} levels deep.",
        )
    try:
        return json.loads(payload, parse_constant=_not_json)
    except ValueError:
        raise _Refused(PaymentErrorCode.INVALID_EVENT, "The body is not valid JSON.") from None


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        payload = _body(request)
        _verify_signature(payload, request.headers.get("Stripe-Signature"))
        _, is_new = stripe_event_receive(payload=_event(payload))
    except _Refused as refused:
        return JsonResponse({"code": refused.code, "error": refused.message}, status=refused.status)
    except DomainError as error:
        return JsonResponse({"code": error.code, "error": error.message}, status=400)
    return JsonResponse({"received": True, "duplicate": not is_new})

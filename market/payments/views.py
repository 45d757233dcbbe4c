"""Stripe's webhook endpoint: verify the signature, store the event once, answer at once.

Processing happens in a worker (``payments.process_stripe_event``) after the event is committed.
"""

import json
import logging

import stripe
from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from market.core.errors import DomainError
from market.payments.services import stripe_event_receive

logger = logging.getLogger(__name__)


def _verify_signature(payload: bytes, header: str | None) -> None:
    """The signature is valid, recent, and made with the platform endpoint's secret or the
    Connect endpoint's (``STRIPE_CONNECT_WEBHOOK_SECRET``, when set)."""
    secrets = [secret for secret in (settings.STRIPE_WEBHOOK_SECRET,
                                     settings.STRIPE_CONNECT_WEBHOOK_SECRET) if secret]
    for secret in secrets[:-1]:
        try:
            stripe.WebhookSignature.verify_header(
                payload, header, secret, tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS)
        except stripe.SignatureVerificationError:
            continue
        return
    stripe.WebhookSignature.verify_header(
        payload, header, secrets[-1], tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    payload = request.body
    try:
        _verify_signature(payload, request.headers.get("Stripe-Signature"))
        event = json.loads(payload)
        _, is_new = stripe_event_receive(payload=event)
    except stripe.SignatureVerificationError as error:
        logger.warning("Refused a Stripe webhook: %s", error.user_message or error)
        return JsonResponse({"error": "invalid signature"}, status=400)
    except (ValueError, TypeError, AttributeError) as error:  # UnicodeDecodeError is one
        # Malformed JSON, or JSON that is not an event (after a valid signature).
        return JsonResponse({"error": f"malformed event: {error}"}, status=400)
    except DomainError as error:
        return JsonResponse({"error": error.message}, status=400)
    return JsonResponse({"received": True, "duplicate": not is_new})

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


@csrf_exempt
@require_POST
def stripe_webhook(request):
    payload = request.body
    try:
        stripe.Webhook.construct_event(
            payload, request.headers.get("Stripe-Signature"), settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
            api_key=settings.STRIPE_SECRET_KEY)
        event = json.loads(payload)
        _, is_new = stripe_event_receive(payload=event)
    except stripe.SignatureVerificationError as error:
        logger.warning("Refused a Stripe webhook: %s", error.user_message or error)
        return JsonResponse({"error": "invalid signature"}, status=400)
    except (ValueError, TypeError, AttributeError) as error:
        # Malformed JSON, or JSON that is not an event (after a valid signature).
        return JsonResponse({"error": f"malformed event: {error}"}, status=400)
    except DomainError as error:
        return JsonResponse({"error": error.message}, status=400)
    return JsonResponse({"received": True, "duplicate": not is_new})

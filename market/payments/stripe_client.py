"""The one place that builds a Stripe client, from settings read at call time."""

import stripe
from django.conf import settings


def stripe_client() -> stripe.StripeClient:
    """A client for the platform account; ``STRIPE_API_BASE`` points it elsewhere in tests.

    Network failures are retried twice by the SDK, with the same idempotency key for a POST.
    """
    base_addresses = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(api_key=settings.STRIPE_SECRET_KEY,
                               base_addresses=base_addresses, max_network_retries=2)

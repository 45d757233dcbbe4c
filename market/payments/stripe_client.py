"""The one place that builds a Stripe client, from settings read at call time."""

import os

import stripe
from django.conf import settings

# One client per (process, key, API base): building one per call opened a new HTTP connection
# for every request. The process id is in the key so that a forked worker never shares the
# parent's connections; the settings are, so that a test pointing STRIPE_API_BASE (or the key)
# elsewhere gets a client for that server.
_clients: dict[tuple, stripe.StripeClient] = {}


def stripe_client() -> stripe.StripeClient:
    """A client for the platform account; ``STRIPE_API_BASE`` points it elsewhere in tests.

    A call that gets no answer within ``STRIPE_TIMEOUT_SECONDS``, loses its connection, or is
    answered 409 or 5xx is sent again by the SDK up to ``STRIPE_MAX_NETWORK_RETRIES`` times,
    with the same ``Idempotency-Key`` header: every POST we make passes a key derived from our
    own row, so the retries (the SDK's, and ours after it gives up) ask for the same object.
    """
    key = (
        os.getpid(),
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE,
        settings.STRIPE_TIMEOUT_SECONDS,
        settings.STRIPE_MAX_NETWORK_RETRIES,
    )
    client = _clients.get(key)
    if client is None:
        if len(_clients) >= 16:  # settings changed many times (tests): drop the old ones
            _clients.clear()
        base_addresses = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
        # A timeout well under the SDK's 80 s: a buyer waits on the payment request, and the
        # threads pool that pays sellers cannot stop a hung task (Celery's time limits need
        # prefork), so a call must end by itself.
        client = stripe.StripeClient(
            api_key=settings.STRIPE_SECRET_KEY,
            base_addresses=base_addresses,
            max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
            http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
        )
        # A race between two threads builds two clients; either is fine to keep.
        client = _clients.setdefault(key, client)
    return client

"""Stripe signs a Connect endpoint's events (connected accounts: account.updated, payout.*) with
that endpoint's own secret: both endpoints may point at /webhooks/stripe/."""

import pytest
from django.test import Client

from market.payments.models import StripeEvent
from tests.stripe_server.server import webhook_event
from tests.stripe_server.signing import post_webhook

pytestmark = pytest.mark.django_db

PLATFORM, CONNECT = "whsec_platform_endpoint", "whsec_connect_endpoint"


@pytest.fixture
def two_endpoints(settings):
    settings.STRIPE_WEBHOOK_SECRET = PLATFORM
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = CONNECT


def account_updated():
    return webhook_event(
        "account.updated",
        {"id": "acct_c1", "object": "account", "charges_enabled": True, "payouts_enabled": True},
        account="acct_c1",
    )


@pytest.mark.parametrize("secret", [PLATFORM, CONNECT])
def test_an_event_signed_by_either_endpoint_is_accepted(two_endpoints, secret):
    event = account_updated()

    response = post_webhook(Client(), event, secret=secret)

    assert response.status_code == 200
    assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1


def test_an_event_signed_with_another_secret_is_refused(two_endpoints):
    response = post_webhook(Client(), account_updated(), secret="whsec_someone_else")

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_without_a_connect_secret_only_the_platform_secret_is_accepted(settings):
    settings.STRIPE_WEBHOOK_SECRET = PLATFORM
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = ""

    refused = post_webhook(Client(), account_updated(), secret=CONNECT)
    accepted = post_webhook(Client(), account_updated(), secret=PLATFORM)

    assert (refused.status_code, accepted.status_code) == (400, 200)
    assert StripeEvent.objects.count() == 1


def test_a_body_that_is_not_utf8_is_refused(two_endpoints):
    response = post_webhook(Client(), b"\xff\xfe{}", secret=PLATFORM, signature="t=1,v1=00")

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()

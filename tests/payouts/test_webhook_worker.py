import time

import pytest
from django.conf import settings
from django.test import Client

from market.payments.models import StripeEvent
from market.payouts.models import PayoutAccount
from tests.celery_worker import worker_log
from tests.payouts.helpers import seller_with_user
from tests.stripe_server.server import webhook_event
from tests.stripe_server.signing import post_webhook

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_applies_an_account_updated_webhook(celery_worker_process):
    account = PayoutAccount.objects.create(
        seller=seller_with_user(country="DE"), route="stripe_connect", stripe_account_id="acct_w1"
    )
    event = webhook_event(
        "account.updated",
        {
            "id": "acct_w1",
            "object": "account",
            "charges_enabled": True,
            "payouts_enabled": True,
            "requirements": {"currently_due": [], "past_due": [], "disabled_reason": None},
        },
        account="acct_w1",
    )

    response = post_webhook(Client(), event, secret=settings.STRIPE_WEBHOOK_SECRET)

    assert response.status_code == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if StripeEvent.objects.get(event_id=event["id"]).status != "received":
            break
        time.sleep(0.2)
    log = worker_log(celery_worker_process)
    assert StripeEvent.objects.get(event_id=event["id"]).status == "processed", log
    account.refresh_from_db()
    assert (account.charges_enabled, account.payouts_enabled) == (True, True)

import threading

import pytest
from django.db import connection

from market.payouts.accounts import payout_onboarding_link_create
from market.payouts.models import PayoutAccount, PayoutAccountEvent
from tests.payouts.helpers import seller_with_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_onboarding_requests_at_once_make_one_stripe_account(stripe_server):
    seller = seller_with_user(country="DE")
    start = threading.Barrier(2)
    links, failures = [], []

    def onboard():
        try:
            start.wait()
            links.append(payout_onboarding_link_create(seller=seller))
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=onboard) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(stripe_server.accounts) == 1
    (account_id,) = stripe_server.accounts
    assert [link.account.stripe_account_id for link in links] == [account_id, account_id]
    assert PayoutAccount.objects.get(seller=seller).stripe_account_id == account_id
    assert PayoutAccountEvent.objects.filter(type="stripe_account_created").count() == 1

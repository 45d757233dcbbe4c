import pytest

from market.payouts.accounts import payout_onboarding_link_create
from market.payouts.models import PayoutAccount, PayoutAccountEvent
from tests.concurrency import race
from tests.payouts.helpers import seller_with_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_onboarding_requests_at_once_make_one_stripe_account(stripe_server):
    seller = seller_with_user(country="DE")
    links = race(*[lambda: payout_onboarding_link_create(seller=seller)] * 2)

    assert [link for link in links if isinstance(link, Exception)] == []
    assert len(stripe_server.accounts) == 1
    (account_id,) = stripe_server.accounts
    assert [link.account.stripe_account_id for link in links] == [account_id, account_id]
    assert PayoutAccount.objects.get(seller=seller).stripe_account_id == account_id
    assert PayoutAccountEvent.objects.filter(kind="stripe_account_created").count() == 1

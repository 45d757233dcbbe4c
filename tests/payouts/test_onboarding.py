"""Stripe Connect onboarding, with the real SDK talking HTTP to the local Stripe server."""

import datetime as dt

import pytest
from django.utils import timezone

from market.core.errors import DomainError
from market.payouts import accounts
from market.payouts.models import PayoutAccount, PayoutAccountEvent
from market.sellers.models import SellerStatus
from tests.payouts.helpers import ONBOARDING, seller_with_user

pytestmark = pytest.mark.django_db


def test_onboarding_creates_an_express_account_and_returns_a_link(stripe_server, gql_as):
    seller = seller_with_user(country="DE")

    data = gql_as(seller.user).execute(ONBOARDING)["sellerPayoutOnboardingLinkCreate"]

    account = PayoutAccount.objects.get(seller=seller)
    assert data["errors"] == []
    assert data["url"].startswith(f"{stripe_server.url}/setup/e/{account.stripe_account_id}/")
    expires_at = dt.datetime.fromisoformat(data["expiresAt"])
    assert timezone.now() < expires_at <= timezone.now() + dt.timedelta(seconds=301)
    (call,) = stripe_server.calls_to("POST", "/v1/accounts")
    assert call.params == {
        "type": "express",
        "country": "DE",
        "capabilities": {"transfers": {"requested": "true"}},
        "metadata": {"seller_id": str(seller.pk)},
    }
    assert call.idempotency_key == f"seller-{seller.pk}-connect-account"
    (link_call,) = stripe_server.calls_to("POST", "/v1/account_links")
    assert link_call.params == {
        "account": account.stripe_account_id,
        "type": "account_onboarding",
        "refresh_url": "http://127.0.0.1:8000/seller/payouts/onboarding/refresh/",
        "return_url": "http://127.0.0.1:8000/seller/payouts/onboarding/return/",
    }
    assert account.route == "stripe_connect"
    assert data["payoutStatus"]["route"] == "STRIPE_CONNECT"
    assert data["payoutStatus"]["isReady"] is False


def test_a_second_call_gives_a_new_link_for_the_same_account(stripe_server):
    seller = seller_with_user(country="DE")

    first = accounts.payout_onboarding_link_create(seller=seller)
    second = accounts.payout_onboarding_link_create(seller=seller)

    assert second.url != first.url
    assert second.account.stripe_account_id == first.account.stripe_account_id
    assert len(stripe_server.accounts) == 1
    assert len(stripe_server.calls_to("POST", "/v1/accounts")) == 1
    assert len(stripe_server.calls_to("POST", "/v1/account_links")) == 2
    assert PayoutAccountEvent.objects.filter(kind="stripe_account_created").count() == 1


def test_each_link_is_asked_for_with_its_own_idempotency_key(stripe_server):
    seller = seller_with_user(country="DE")

    accounts.payout_onboarding_link_create(seller=seller)
    accounts.payout_onboarding_link_create(seller=seller)

    keys = [c.idempotency_key for c in stripe_server.calls_to("POST", "/v1/account_links")]
    assert len(set(keys)) == 2
    assert all(key.startswith(f"seller-{seller.pk}-link-") for key in keys)


def test_a_retry_after_a_crash_before_the_account_was_stored_finds_the_same_account(
    stripe_server, monkeypatch
):
    seller = seller_with_user(country="DE")
    real_attach = accounts._stripe_account_attach

    def crash(**kwargs):
        raise ConnectionError("database went away")

    monkeypatch.setattr(accounts, "_stripe_account_attach", crash)
    with pytest.raises(ConnectionError):
        accounts.payout_onboarding_link_create(seller=seller)
    monkeypatch.setattr(accounts, "_stripe_account_attach", real_attach)

    link = accounts.payout_onboarding_link_create(seller=seller)

    assert list(stripe_server.accounts) == [link.account.stripe_account_id]
    assert [c.replayed for c in stripe_server.calls_to("POST", "/v1/accounts")] == [False, True]


def test_a_lost_stripe_response_is_retried_by_the_sdk_without_a_second_account(stripe_server):
    seller = seller_with_user(country="DE")
    stripe_server.drop_next_response("/v1/accounts")

    link = accounts.payout_onboarding_link_create(seller=seller)

    assert list(stripe_server.accounts) == [link.account.stripe_account_id]
    assert [c.replayed for c in stripe_server.calls_to("POST", "/v1/accounts")] == [False, True]


def test_a_stripe_refusal_is_a_stripe_error_and_stores_nothing(stripe_server, gql_as):
    seller = seller_with_user(country="DE")
    stripe_server.fail_next_request(
        "/v1/accounts", 400, "Your platform cannot create accounts in this country."
    )

    data = gql_as(seller.user).execute(ONBOARDING)["sellerPayoutOnboardingLinkCreate"]

    assert data["url"] is None
    assert data["errors"] == [
        {
            "field": None,
            "code": "STRIPE_ERROR",
            "message": "Your platform cannot create accounts in this country.",
        }
    ]
    assert not PayoutAccount.objects.exists()


def test_an_azerbaijani_seller_is_on_the_bank_route_and_stripe_is_not_called(stripe_server):
    seller = seller_with_user(country="AZ")

    with pytest.raises(DomainError) as refused:
        accounts.payout_onboarding_link_create(seller=seller)

    assert refused.value.code == "wrong_route"
    assert refused.value.message == (
        "Sellers in Azerbaijan are paid by bank transfer, not Stripe Connect."
    )
    assert stripe_server.state.calls == []
    assert not PayoutAccount.objects.exists()


@pytest.mark.parametrize(
    "status", [SellerStatus.DRAFT, SellerStatus.REJECTED, SellerStatus.SUSPENDED]
)
def test_sellers_who_have_not_applied_or_were_turned_away_cannot_onboard(stripe_server, status):
    seller = seller_with_user(country="DE", status=status)

    with pytest.raises(DomainError) as refused:
        accounts.payout_onboarding_link_create(seller=seller)

    assert refused.value.code == "not_approved"
    assert stripe_server.state.calls == []


def test_a_seller_under_review_may_already_onboard(stripe_server):
    seller = seller_with_user(country="FR", status=SellerStatus.SUBMITTED)

    link = accounts.payout_onboarding_link_create(seller=seller)

    assert stripe_server.accounts[link.account.stripe_account_id]["country"] == "FR"

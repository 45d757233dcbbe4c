"""What a Stripe Connect seller sees of their payout status, from onboarding to ready."""

import pytest

from market.payouts.models import PayoutAccount
from market.payouts.routes import STRIPE_CONNECT_COUNTRIES, payout_route_for
from tests.factories import SellerFactory
from tests.payouts.helpers import PAYOUT_STATUS, seller_with_user

pytestmark = pytest.mark.django_db


def test_azerbaijan_is_paid_by_bank_transfer_and_germany_through_stripe_connect(db):
    assert "AZ" not in STRIPE_CONNECT_COUNTRIES
    assert payout_route_for(SellerFactory(country="AZ")).name == "bank_transfer"
    assert payout_route_for(SellerFactory(country="DE")).name == "stripe_connect"


def test_a_stripe_seller_who_has_not_onboarded_is_asked_to_start(gql_as):
    seller = seller_with_user(country="DE")

    status = gql_as(seller.user).execute(PAYOUT_STATUS)["sellerPayoutStatus"]

    assert status == {
        "route": "STRIPE_CONNECT",
        "isReady": False,
        "missing": ["Start payout onboarding with Stripe."],
        "chargesEnabled": False,
        "payoutsEnabled": False,
        "requirementsDue": [],
        "disabledReason": None,
        "bankAccount": None,
    }


def test_a_stripe_seller_sees_stripes_open_requirements_in_words(gql_as):
    seller = seller_with_user(country="DE")
    PayoutAccount.objects.create(
        seller=seller,
        route="stripe_connect",
        stripe_account_id="acct_1",
        requirements_due=["individual.verification.document"],
        disabled_reason="requirements.past_due",
    )

    status = gql_as(seller.user).execute(PAYOUT_STATUS)["sellerPayoutStatus"]

    assert status["isReady"] is False
    assert status["missing"] == [
        "Stripe needs: individual verification document.",
        "Stripe has paused the account (requirements past due).",
    ]
    assert status["requirementsDue"] == ["individual.verification.document"]
    assert status["disabledReason"] == "requirements.past_due"


def test_a_stripe_seller_whose_account_pays_out_is_ready(gql_as):
    seller = seller_with_user(country="DE")
    PayoutAccount.objects.create(
        seller=seller,
        route="stripe_connect",
        stripe_account_id="acct_1",
        charges_enabled=True,
        payouts_enabled=True,
    )

    status = gql_as(seller.user).execute(PAYOUT_STATUS)["sellerPayoutStatus"]

    assert (status["isReady"], status["missing"], status["payoutsEnabled"]) == (True, [], True)


def test_payout_status_is_only_for_sellers(gql_as):
    from tests.factories import UserFactory

    errors = gql_as(UserFactory()).errors(PAYOUT_STATUS)

    assert errors[0]["extensions"]["code"] == "permission_denied"


def test_payout_status_needs_sign_in(gql):
    errors = gql.errors(PAYOUT_STATUS)

    assert errors[0]["extensions"]["code"] == "unauthenticated"

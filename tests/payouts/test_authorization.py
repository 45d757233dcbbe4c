"""Who may do what with payout accounts: for every mutation, anonymous, a buyer, another
seller, the owner, staff without and with `payouts.manage_payouts`. A seller only ever acts on
their own account; a refused request changes nothing."""

import pytest

from market.payouts.models import PayoutAccount
from tests.factories import StaffFactory, UserFactory
from tests.payouts.helpers import (
    AZ_IBAN,
    BANK_ACCOUNT_SET,
    BANK_ACCOUNT_VERIFY,
    BANK_INPUT,
    DE_IBAN,
    ONBOARDING,
    seller_global_id,
    seller_with_bank_details,
    seller_with_user,
)

pytestmark = pytest.mark.django_db

NOT_SELLERS = {
    "anonymous": (lambda: None, "unauthenticated"),
    "buyer": (UserFactory, "permission_denied"),
    "staff without the permission": (StaffFactory, "permission_denied"),
    "staff with the permission": (
        lambda: StaffFactory(permissions=["payouts.manage_payouts"]),
        "permission_denied",
    ),
}


# --- sellerPayoutOnboardingLinkCreate ------------------------------------------------------


@pytest.mark.parametrize("make_user,code", NOT_SELLERS.values(), ids=NOT_SELLERS.keys())
def test_only_a_seller_may_ask_for_an_onboarding_link(make_user, code, stripe_server, gql_as):
    owner = seller_with_user(country="DE")

    errors = gql_as(make_user()).errors(ONBOARDING)

    assert errors[0]["extensions"]["code"] == code
    assert not PayoutAccount.objects.filter(seller=owner).exists()
    assert not PayoutAccount.objects.exists()
    assert stripe_server.state.calls == []


def test_another_seller_onboards_only_their_own_account(stripe_server, gql_as):
    owner = seller_with_user(country="DE")
    other = seller_with_user(country="DE")

    data = gql_as(other.user).execute(ONBOARDING)["sellerPayoutOnboardingLinkCreate"]

    assert data["errors"] == []
    assert not PayoutAccount.objects.filter(seller=owner).exists()
    (account,) = stripe_server.accounts.values()
    assert account["metadata"] == {"seller_id": str(other.pk)}
    assert PayoutAccount.objects.get(seller=other).stripe_account_id == account["id"]


def test_the_owner_gets_an_onboarding_link(stripe_server, gql_as):
    owner = seller_with_user(country="DE")

    data = gql_as(owner.user).execute(ONBOARDING)["sellerPayoutOnboardingLinkCreate"]

    assert data["errors"] == []
    assert data["url"].startswith(stripe_server.url)
    assert PayoutAccount.objects.get(seller=owner).stripe_account_id in stripe_server.accounts


# --- sellerPayoutBankAccountSet ------------------------------------------------------------

NEW_DETAILS = {**BANK_INPUT, "iban": DE_IBAN, "bic": "COBADEFFXXX", "currency": "EUR"}


def verified_bank_account():
    account = seller_with_bank_details()
    account.bank_verified_at = account.created_at
    account.save()
    return account


def assert_unchanged(account):
    fresh = PayoutAccount.objects.get(pk=account.pk)
    assert (fresh.iban, fresh.bic, fresh.currency, fresh.bank_verified_at) == (
        AZ_IBAN,
        "NABZAZ2X",
        "AZN",
        account.bank_verified_at,
    )


@pytest.mark.parametrize("make_user,code", NOT_SELLERS.values(), ids=NOT_SELLERS.keys())
def test_only_a_seller_may_set_a_bank_account(make_user, code, gql_as):
    account = verified_bank_account()

    errors = gql_as(make_user()).errors(BANK_ACCOUNT_SET, {"input": NEW_DETAILS})

    assert errors[0]["extensions"]["code"] == code
    assert_unchanged(account)
    assert PayoutAccount.objects.count() == 1


def test_another_seller_sets_only_their_own_bank_account(gql_as):
    account = verified_bank_account()
    other = seller_with_user(country="AZ")

    data = gql_as(other.user).execute(BANK_ACCOUNT_SET, {"input": NEW_DETAILS})

    assert data["sellerPayoutBankAccountSet"]["errors"] == []
    assert_unchanged(account)
    assert PayoutAccount.objects.get(seller=other).iban == DE_IBAN


def test_the_owner_sets_their_bank_account(gql_as):
    account = verified_bank_account()

    data = gql_as(account.seller.user).execute(BANK_ACCOUNT_SET, {"input": NEW_DETAILS})

    assert data["sellerPayoutBankAccountSet"]["errors"] == []
    account.refresh_from_db()
    assert (account.iban, account.bank_verified_at) == (DE_IBAN, None)


# --- sellerPayoutBankAccountVerify ---------------------------------------------------------

NOT_PAYOUT_STAFF = {
    "anonymous": (lambda account: None, "unauthenticated"),
    "buyer": (lambda account: UserFactory(), "permission_denied"),
    "another seller": (lambda account: seller_with_user(country="AZ").user, "permission_denied"),
    "owner": (lambda account: account.seller.user, "permission_denied"),
    "staff without the permission": (
        lambda account: StaffFactory(permissions=["sellers.manage_sellers"]),
        "permission_denied",
    ),
}


@pytest.mark.parametrize("make_user,code", NOT_PAYOUT_STAFF.values(), ids=NOT_PAYOUT_STAFF.keys())
def test_only_payout_staff_may_verify_a_bank_account(make_user, code, gql_as):
    account = seller_with_bank_details()

    errors = gql_as(make_user(account)).errors(
        BANK_ACCOUNT_VERIFY, {"sellerId": seller_global_id(account.seller)}
    )

    assert errors[0]["extensions"]["code"] == code
    account.refresh_from_db()
    assert (account.bank_verified_at, account.bank_verified_by) == (None, None)


def test_staff_with_the_permission_verify_a_bank_account(gql_as):
    account = seller_with_bank_details()
    staff = StaffFactory(permissions=["payouts.manage_payouts"])

    data = gql_as(staff).execute(
        BANK_ACCOUNT_VERIFY, {"sellerId": seller_global_id(account.seller)}
    )

    assert data["sellerPayoutBankAccountVerify"]["errors"] == []
    account.refresh_from_db()
    assert account.bank_verified_by == staff

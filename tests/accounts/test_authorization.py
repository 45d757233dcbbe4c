"""Who may call each accounts mutation.

Signing in, refreshing, signing out, registering, verifying and resetting carry their own
credentials (password, token): they answer the same whoever calls, and act only on the account
the credentials belong to. Changing a password and signing out everywhere need a signed-in user
and act only on that user's own account.
"""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail

from market.accounts.models import RefreshToken, User
from market.accounts.tokens import email_verification_token_generator, refresh_token_hash
from market.sellers.models import SellerStatus
from tests.accounts.conftest import (
    CONFIRM,
    LOGIN,
    PASSWORD,
    PASSWORD_CHANGE,
    REFRESH,
    REGISTER,
    RESEND,
    RESET_REQUEST,
    REVOKE,
    REVOKE_ALL,
    SET_PASSWORD,
    login,
)
from tests.conftest import GraphQLClient
from tests.factories import SellerFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = "plum-kettle-saffron-41"
CALLERS = ["anonymous", "buyer", "seller", "other_seller", "staff", "staff_with_permission"]


@pytest.fixture(params=CALLERS)
def caller(request, db):
    """(the signed-in user or None, a GraphQL client acting as them)."""
    kind = request.param
    user = {
        "anonymous": lambda: None,
        "buyer": lambda: UserFactory(email="buyer@example.com"),
        "seller": lambda: SellerFactory(user=UserFactory(email="seller@example.com")).user,
        "other_seller": lambda: (
            SellerFactory(
                user=UserFactory(email="other@example.com"), status=SellerStatus.SUSPENDED
            ).user
        ),
        "staff": lambda: StaffFactory(email="staff@example.com"),
        "staff_with_permission": lambda: StaffFactory(
            email="manager@example.com",
            permissions=["sellers.manage_sellers", "catalog.manage_catalog"],
        ),
    }[kind]()
    return user, GraphQLClient(user)


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.com", is_email_verified=False)


def snapshot():
    return (
        sorted(
            User.objects.values_list("email", "password", "token_generation", "is_email_verified")
        ),
        sorted(RefreshToken.objects.values_list("token_hash", "revoked_at")),
    )


# --- Mutations that need a signed-in user ----------------------------------------------------


def test_signing_out_everywhere_acts_on_the_callers_own_account_only(caller, ada, gql):
    user, client = caller
    adas = login(gql, "ada@example.com")
    before = snapshot()

    response = client.post(REVOKE_ALL).json()

    if user is None:
        assert response["errors"][0]["extensions"]["code"] == "unauthenticated"
        assert response["data"] == {"tokensRevokeAll": None}
        assert snapshot() == before
    else:
        assert response == {"data": {"tokensRevokeAll": {"errors": []}}}
        assert User.objects.get(pk=user.pk).token_generation == 1
    assert User.objects.get(pk=ada.pk).token_generation == 0
    assert gql.execute(REFRESH, {"token": adas["refreshToken"]})["tokenRefresh"]["errors"] == []


def test_changing_a_password_acts_on_the_callers_own_account_only(caller, ada):
    user, client = caller
    before = snapshot()

    response = client.post(PASSWORD_CHANGE, {"old": PASSWORD, "new": NEW}).json()

    if user is None:
        assert response["errors"][0]["extensions"]["code"] == "unauthenticated"
        assert response["data"] == {"passwordChange": None}
        assert snapshot() == before
    else:
        payload = response["data"]["passwordChange"]
        assert payload["errors"] == []
        assert payload["user"]["email"] == user.email
        assert User.objects.get(pk=user.pk).check_password(NEW)
    assert User.objects.get(pk=ada.pk).check_password(PASSWORD)


# --- Mutations whose arguments carry the credentials -----------------------------------------


def test_anyone_may_register_a_new_account(caller):
    _, client = caller

    payload = client.execute(REGISTER, {"input": {"email": "new@example.com", "password": NEW}})

    assert payload["accountRegister"]["errors"] == []
    assert User.objects.filter(email="new@example.com", is_email_verified=False).exists()


def test_anyone_with_the_link_verifies_the_address_it_was_sent_to(caller, ada):
    _, client = caller
    token = email_verification_token_generator.make_token(ada)

    payload = client.execute(CONFIRM, {"email": "ada@example.com", "token": token})

    assert payload["accountConfirmEmail"]["user"]["email"] == "ada@example.com"
    assert User.objects.get(pk=ada.pk).is_email_verified is True


def test_anyone_may_ask_for_a_verification_link_to_be_sent_to_the_address(
    caller, ada, run_on_commit
):
    _, client = caller

    with run_on_commit():
        payload = client.execute(RESEND, {"email": "ada@example.com"})

    assert payload == {"accountResendVerification": {"errors": []}}
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


def test_signing_in_gives_the_tokens_of_the_credentials_owner_whoever_calls(caller, ada):
    _, client = caller

    payload = client.execute(LOGIN, {"email": "ada@example.com", "password": PASSWORD})

    assert payload["tokenCreate"]["user"]["email"] == "ada@example.com"
    assert RefreshToken.objects.latest("pk").user_id == ada.pk  # the callers have sign-ins too


def test_refreshing_gives_the_tokens_of_the_refresh_tokens_owner_whoever_calls(caller, ada, gql):
    _, client = caller
    token = login(gql, "ada@example.com")["refreshToken"]

    payload = client.execute(REFRESH, {"token": token})

    assert payload["tokenRefresh"]["user"]["email"] == "ada@example.com"


def test_anyone_holding_a_refresh_token_may_sign_it_out(caller, ada, gql):
    _, client = caller
    token = login(gql, "ada@example.com")["refreshToken"]

    payload = client.execute(REVOKE, {"token": token})

    assert payload == {"tokenRevoke": {"errors": []}}
    assert RefreshToken.objects.get(token_hash=refresh_token_hash(token)).revoked_at is not None


def test_anyone_may_ask_for_a_reset_link_which_goes_to_the_address_only(caller, ada, run_on_commit):
    _, client = caller

    with run_on_commit():
        payload = client.execute(RESET_REQUEST, {"email": "ada@example.com"})

    assert payload == {"requestPasswordReset": {"errors": []}}
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


def test_anyone_with_a_reset_token_sets_the_password_of_its_account_only(caller, ada):
    user, client = caller

    payload = client.execute(
        SET_PASSWORD,
        {
            "email": "ada@example.com",
            "token": default_token_generator.make_token(ada),
            "password": NEW,
        },
    )

    assert payload == {"setPassword": {"errors": []}}
    assert User.objects.get(pk=ada.pk).check_password(NEW)
    if user is not None:
        assert User.objects.get(pk=user.pk).check_password(PASSWORD)

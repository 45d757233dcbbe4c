"""Registration and e-mail verification, through the API."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail

from market.accounts.models import User
from market.accounts.tokens import email_verification_token_generator
from tests.accounts.conftest import CONFIRM, REGISTER, RESEND, link_params
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STRONG = "plum-kettle-saffron-41"


def register(gql, **fields):
    data = {"email": "Ada@Example.COM", "password": STRONG, "firstName": "Ada",
            "lastName": "Lovelace", **fields}
    return gql.execute(REGISTER, {"input": data})["accountRegister"]


def test_registering_creates_an_unverified_account_with_the_address_in_lower_case(gql):
    payload = register(gql)

    user = User.objects.get()
    assert payload["errors"] == []
    assert payload["user"]["email"] == "ada@example.com"
    assert payload["user"]["isEmailVerified"] is False
    assert (user.email, user.first_name, user.last_name, user.is_email_verified) == (
        "ada@example.com", "Ada", "Lovelace", False)
    assert user.check_password(STRONG)


def test_registering_emails_a_link_that_verifies_the_address(gql, run_on_commit, settings):
    settings.MARKET_STOREFRONT_URL = "https://shop.example"
    with run_on_commit():
        register(gql)

    [message] = mail.outbox
    params = link_params(message.body, "verify-email")
    assert message.to == ["ada@example.com"]
    assert "https://shop.example/verify-email?email=ada%40example.com&token=" in message.body
    payload = gql.execute(CONFIRM, params)["accountConfirmEmail"]
    assert payload == {"user": {"email": "ada@example.com", "isEmailVerified": True},
                       "errors": []}
    assert User.objects.get().is_email_verified is True


def test_registering_a_taken_address_in_another_case_is_refused(gql, run_on_commit):
    UserFactory(email="ada@example.com")

    with run_on_commit():
        payload = register(gql, email=" ADA@example.com ")

    assert payload["user"] is None
    assert payload["errors"] == [{"field": "email", "code": "EMAIL_TAKEN",
                                  "message": "An account with this e-mail address already "
                                             "exists."}]
    assert User.objects.count() == 1
    assert mail.outbox == []


def test_a_weak_password_is_refused_with_the_validators_messages(gql):
    payload = register(gql, password="12345")

    assert payload["errors"] == [{
        "field": "password", "code": "PASSWORD_TOO_WEAK",
        "message": "This password is too short. It must contain at least 10 characters. "
                   "This password is too common. This password is entirely numeric."}]
    assert User.objects.count() == 0


def test_a_password_like_the_address_is_refused(gql):
    payload = register(gql, email="ada.lovelace@example.com", password="ada.lovelace@example.com")

    assert payload["errors"] == [{"field": "password", "code": "PASSWORD_TOO_WEAK",
                                  "message": "The password is too similar to the email."}]
    assert User.objects.count() == 0


def test_a_malformed_address_is_refused(gql):
    payload = register(gql, email="ada at example")

    assert payload["errors"] == [{"field": "email", "code": "INVALID",
                                  "message": "Enter a valid e-mail address."}]
    assert User.objects.count() == 0


def test_an_overlong_name_is_refused(gql):
    payload = register(gql, lastName="L" * 81)

    assert payload["errors"] == [{"field": "lastName", "code": "INVALID",
                                  "message": "At most 80 characters."}]
    assert User.objects.count() == 0


def test_confirming_again_with_the_same_link_succeeds_without_change(gql):
    user = UserFactory(email="ada@example.com", is_email_verified=False)
    token = email_verification_token_generator.make_token(user)
    gql.execute(CONFIRM, {"email": "ada@example.com", "token": token})

    payload = gql.execute(CONFIRM, {"email": "ada@example.com", "token": token})

    assert payload == {"accountConfirmEmail": {
        "user": {"email": "ada@example.com", "isEmailVerified": True}, "errors": []}}


def test_a_forged_verification_token_is_refused(gql):
    UserFactory(email="ada@example.com", is_email_verified=False)

    payload = gql.execute(CONFIRM, {"email": "ada@example.com", "token": "cxyz-0123abcd"})

    assert payload["accountConfirmEmail"] == {"user": None, "errors": [{
        "field": "token", "code": "INVALID_TOKEN",
        "message": "This verification link is not valid or has expired."}]}
    assert User.objects.get().is_email_verified is False


def test_a_forged_token_is_refused_even_once_the_address_is_verified(gql):
    UserFactory(email="ada@example.com", is_email_verified=True)

    payload = gql.execute(CONFIRM, {"email": "ada@example.com", "token": "cxyz-0123abcd"})

    assert payload["accountConfirmEmail"]["errors"][0]["code"] == "INVALID_TOKEN"


def test_another_accounts_verification_token_is_refused(gql):
    UserFactory(email="ada@example.com", is_email_verified=False)
    other = UserFactory(email="eve@example.com", is_email_verified=False)

    payload = gql.execute(CONFIRM, {"email": "ada@example.com",
                                    "token": email_verification_token_generator.make_token(other)})

    assert payload["accountConfirmEmail"]["errors"][0]["code"] == "INVALID_TOKEN"
    assert User.objects.get(email="ada@example.com").is_email_verified is False


def test_a_password_reset_token_does_not_verify_the_address(gql):
    user = UserFactory(email="ada@example.com", is_email_verified=False)

    payload = gql.execute(CONFIRM, {"email": "ada@example.com",
                                    "token": default_token_generator.make_token(user)})

    assert payload["accountConfirmEmail"]["errors"][0]["code"] == "INVALID_TOKEN"
    assert User.objects.get().is_email_verified is False


def test_an_unknown_address_answers_like_a_bad_token(gql):
    payload = gql.execute(CONFIRM, {"email": "nobody@example.com", "token": "cxyz-0123abcd"})

    assert payload["accountConfirmEmail"] == {"user": None, "errors": [{
        "field": "token", "code": "INVALID_TOKEN",
        "message": "This verification link is not valid or has expired."}]}


def test_resending_verification_emails_a_working_link_to_an_unverified_account(gql, run_on_commit):
    UserFactory(email="ada@example.com", is_email_verified=False)

    with run_on_commit():
        payload = gql.execute(RESEND, {"email": "ADA@example.com"})

    [message] = mail.outbox
    assert payload == {"accountResendVerification": {"errors": []}}
    assert message.to == ["ada@example.com"]
    confirmed = gql.execute(CONFIRM, link_params(message.body, "verify-email"))
    assert confirmed["accountConfirmEmail"]["user"]["isEmailVerified"] is True


@pytest.mark.parametrize("email", ["nobody@example.com", "verified@example.com"])
def test_resending_verification_answers_alike_and_sends_nothing_without_an_unverified_account(
        gql, run_on_commit, email):
    UserFactory(email="verified@example.com", is_email_verified=True)

    with run_on_commit():
        payload = gql.execute(RESEND, {"email": email})

    assert payload == {"accountResendVerification": {"errors": []}}
    assert mail.outbox == []

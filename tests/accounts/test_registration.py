"""Registration and e-mail verification, through the API."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail

from market.accounts.models import User
from market.accounts.tokens import email_verification_token_generator
from tests.accounts.conftest import CONFIRM, REGISTER, RESEND, client_at, link_params
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STRONG = "plum-kettle-saffron-41"


def register(gql, **fields):
    data = {
        "email": "Ada@Example.COM",
        "password": STRONG,
        "firstName": "Ada",
        "lastName": "Lovelace",
        **fields,
    }
    return gql.execute(REGISTER, {"input": data})["accountRegister"]


def test_registering_creates_an_unverified_account_with_the_address_in_lower_case(gql):
    payload = register(gql)

    user = User.objects.get()
    assert payload == {"user": None, "errors": []}
    assert (user.email, user.first_name, user.last_name, user.is_email_verified) == (
        "ada@example.com",
        "Ada",
        "Lovelace",
        False,
    )
    assert user.check_password(STRONG)


def test_registering_emails_a_link_that_verifies_the_address(gql, run_on_commit, settings):
    settings.MARKET_STOREFRONT_URL = "https://shop.example"
    with run_on_commit():
        register(gql)

    [message] = mail.outbox
    params = link_params(message.body, "verify-email")
    assert message.to == ["ada@example.com"]
    assert "https://shop.example/verify-email/?email=ada%40example.com&token=" in message.body
    payload = gql.execute(CONFIRM, params)["accountConfirmEmail"]
    assert payload == {"user": {"email": "ada@example.com", "isEmailVerified": True}, "errors": []}
    assert User.objects.get().is_email_verified is True


def test_registering_a_taken_address_answers_like_a_free_one_and_tells_its_owner(
    gql, run_on_commit, settings
):
    """Nobody learns from registering which addresses have accounts; the owner hears of it."""
    settings.MARKET_STOREFRONT_URL = "https://shop.example"
    ada = UserFactory(email="ada@example.com", first_name="Ada")
    before = User.objects.values().get(pk=ada.pk)

    with run_on_commit():
        taken = register(gql, email=" ADA@example.com ", firstName="Eve")
    with run_on_commit():
        free = register(gql, email="grace@example.com")

    assert taken == free == {"user": None, "errors": []}
    assert User.objects.values().get(pk=ada.pk) == before
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1
    notice, verification = mail.outbox
    assert notice.to == ["ada@example.com"]
    assert notice.subject == "Someone tried to register with your Creative Market address"
    assert "https://shop.example/" in notice.body
    assert "token=" not in notice.body
    assert verification.to == ["grace@example.com"]


def test_registering_a_taken_or_a_free_address_does_the_same_work(gql, monkeypatch):
    """One password hashed and one e-mail queued either way: the time an answer takes does
    not tell the cases apart."""
    import django.contrib.auth.base_user as base_user

    import market.accounts.services as services

    UserFactory(email="ada@example.com")
    work = []
    hash_password = base_user.make_password
    monkeypatch.setattr(
        base_user,
        "make_password",
        lambda *args, **kwargs: work.append("hash") or hash_password(*args, **kwargs),
    )
    monkeypatch.setattr(services, "email_enqueue", lambda **kwargs: work.append("e-mail"))

    taken = register(gql, email="ada@example.com")
    work_when_taken, work[:] = list(work), []
    free = register(gql, email="grace@example.com")

    assert taken == free == {"user": None, "errors": []}
    assert work_when_taken == work == ["hash", "e-mail"]


def test_a_weak_password_is_refused_alike_for_a_taken_and_a_free_address(gql):
    UserFactory(email="ada@example.com")

    taken = register(gql, email="ada@example.com", password="12345")
    free = register(gql, email="grace@example.com", password="12345")

    assert taken == free
    assert taken["errors"][0]["code"] == "PASSWORD_TOO_WEAK"
    assert User.objects.count() == 1


def test_a_weak_password_is_refused_with_the_validators_messages(gql):
    payload = register(gql, password="12345")

    assert payload["errors"] == [
        {
            "field": "password",
            "code": "PASSWORD_TOO_WEAK",
            "message": "This password is too short. It must contain at least 10 characters. "
            "This password is too common. This password is entirely numeric.",
        }
    ]
    assert User.objects.count() == 0


def test_a_password_like_the_address_is_refused(gql):
    payload = register(gql, email="ada.lovelace@example.com", password="ada.lovelace@example.com")

    assert payload["errors"] == [
        {
            "field": "password",
            "code": "PASSWORD_TOO_WEAK",
            "message": "The password is too similar to the email.",
        }
    ]
    assert User.objects.count() == 0


def test_a_malformed_address_is_refused(gql):
    payload = register(gql, email="ada at example")

    assert payload["errors"] == [
        {"field": "email", "code": "INVALID", "message": "Enter a valid e-mail address."}
    ]
    assert User.objects.count() == 0


def test_an_overlong_name_is_refused(gql):
    payload = register(gql, lastName="L" * 81)

    assert payload["errors"] == [
        {"field": "lastName", "code": "INVALID", "message": "At most 80 characters."}
    ]
    assert User.objects.count() == 0


def test_confirming_again_with_the_same_link_succeeds_without_change(gql):
    user = UserFactory(email="ada@example.com", is_email_verified=False)
    token = email_verification_token_generator.make_token(user)
    gql.execute(CONFIRM, {"email": "ada@example.com", "token": token})

    payload = gql.execute(CONFIRM, {"email": "ada@example.com", "token": token})

    assert payload == {
        "accountConfirmEmail": {
            "user": {"email": "ada@example.com", "isEmailVerified": True},
            "errors": [],
        }
    }


def test_a_forged_verification_token_is_refused(gql):
    UserFactory(email="ada@example.com", is_email_verified=False)

    payload = gql.execute(CONFIRM, {"email": "ada@example.com", "token": "cxyz-0123abcd"})

    assert payload["accountConfirmEmail"] == {
        "user": None,
        "errors": [
            {
                "field": "token",
                "code": "INVALID_TOKEN",
                "message": "This verification link is not valid or has expired.",
            }
        ],
    }
    assert User.objects.get().is_email_verified is False


def test_a_forged_token_is_refused_even_once_the_address_is_verified(gql):
    UserFactory(email="ada@example.com", is_email_verified=True)

    payload = gql.execute(CONFIRM, {"email": "ada@example.com", "token": "cxyz-0123abcd"})

    assert payload["accountConfirmEmail"]["errors"][0]["code"] == "INVALID_TOKEN"


def test_another_accounts_verification_token_is_refused(gql):
    UserFactory(email="ada@example.com", is_email_verified=False)
    other = UserFactory(email="eve@example.com", is_email_verified=False)

    payload = gql.execute(
        CONFIRM,
        {"email": "ada@example.com", "token": email_verification_token_generator.make_token(other)},
    )

    assert payload["accountConfirmEmail"]["errors"][0]["code"] == "INVALID_TOKEN"
    assert User.objects.get(email="ada@example.com").is_email_verified is False


def test_a_password_reset_token_does_not_verify_the_address(gql):
    user = UserFactory(email="ada@example.com", is_email_verified=False)

    payload = gql.execute(
        CONFIRM, {"email": "ada@example.com", "token": default_token_generator.make_token(user)}
    )

    assert payload["accountConfirmEmail"]["errors"][0]["code"] == "INVALID_TOKEN"
    assert User.objects.get().is_email_verified is False


def test_an_unknown_address_answers_like_a_bad_token(gql):
    payload = gql.execute(CONFIRM, {"email": "nobody@example.com", "token": "cxyz-0123abcd"})

    assert payload["accountConfirmEmail"] == {
        "user": None,
        "errors": [
            {
                "field": "token",
                "code": "INVALID_TOKEN",
                "message": "This verification link is not valid or has expired.",
            }
        ],
    }


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
    gql, run_on_commit, email
):
    UserFactory(email="verified@example.com", is_email_verified=True)

    with run_on_commit():
        payload = gql.execute(RESEND, {"email": email})

    assert payload == {"accountResendVerification": {"errors": []}}
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["ada@example.com", "nobody@example.com", "verified@example.com"])
def test_resending_verification_does_the_same_work_for_any_address(
    gql, enqueued, django_capture_on_commit_callbacks, email
):
    """Only the worker looks the address up: the request's answer and work are alike."""
    UserFactory(email="ada@example.com", is_email_verified=False)
    UserFactory(email="verified@example.com", is_email_verified=True)

    with django_capture_on_commit_callbacks(execute=True):
        payload = gql.execute(RESEND, {"email": email.upper()})

    assert payload == {"accountResendVerification": {"errors": []}}
    assert enqueued == [("accounts.verification_email_resend", {"email": email})]


TOO_MANY = [
    {
        "field": None,
        "code": "TOO_MANY_ATTEMPTS",
        "message": "Too many e-mails asked for this address or from this network: try "
        "again in up to 60 minutes.",
    }
]


def test_registering_a_taken_address_again_and_again_cannot_flood_its_owner(
    gql, run_on_commit, settings
):
    """Every attempt on a taken address e-mails its owner: a few an hour at most, and the
    refusal reads the same as for a free address (both are counted)."""
    settings.ACCOUNT_EMAILS_MAX_PER_RECIPIENT = 2
    UserFactory(email="ada@example.com")
    with run_on_commit():
        for address in ("203.0.113.7", "203.0.113.8"):
            client_at(address).execute(
                REGISTER, {"input": {"email": "ada@example.com", "password": STRONG}}
            )
        taken = client_at("203.0.113.9").execute(
            REGISTER, {"input": {"email": "ada@example.com", "password": STRONG}}
        )["accountRegister"]

    assert taken == {"user": None, "errors": TOO_MANY}
    assert [message.to for message in mail.outbox] == [["ada@example.com"]] * 2
    assert User.objects.count() == 1


def test_one_client_registering_many_addresses_is_refused_and_nothing_is_created(
    run_on_commit, settings, db
):
    settings.ACCOUNT_EMAILS_MAX_PER_CLIENT = 2
    client = client_at("203.0.113.7")
    with run_on_commit():
        for number in range(2):
            register(client, email=f"new{number}@example.com")
        refused = register(client, email="grace@example.com")

    assert refused == {"user": None, "errors": TOO_MANY}
    assert sorted(User.objects.values_list("email", flat=True)) == [
        "new0@example.com",
        "new1@example.com",
    ]
    assert len(mail.outbox) == 2


def test_asking_for_the_verification_link_again_and_again_is_refused(gql, settings):
    settings.ACCOUNT_EMAILS_MAX_PER_RECIPIENT = 2
    UserFactory(email="ada@example.com", is_email_verified=False)
    for _ in range(2):
        assert gql.execute(RESEND, {"email": "ada@example.com"}) == {
            "accountResendVerification": {"errors": []}
        }

    payload = gql.execute(RESEND, {"email": "ada@example.com"})

    assert payload == {"accountResendVerification": {"errors": TOO_MANY}}

"""Changing a password, and resetting a forgotten one through the e-mailed link."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail

from market.accounts.models import User
from market.accounts.tokens import email_verification_token_generator
from tests.accounts.conftest import (
    ME,
    PASSWORD,
    PASSWORD_CHANGE,
    REFRESH,
    RESET_REQUEST,
    SET_PASSWORD,
    bearer_client,
    client_at,
    link_params,
    login,
)
from tests.factories import UserFactory

NEW = "plum-kettle-saffron-41"


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.com")


def change(client, old, new):
    return client.execute(PASSWORD_CHANGE, {"old": old, "new": new})["passwordChange"]


def stored_password(user):
    return User.objects.get(pk=user.pk).password


@pytest.mark.django_db
def test_changing_the_password_lets_only_the_new_one_sign_in(gql, ada):
    session = login(gql, "ada@example.com")

    payload = change(bearer_client(session["accessToken"]), PASSWORD, NEW)

    assert payload["errors"] == []
    assert login(gql, "ada@example.com", PASSWORD)["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert login(gql, "ada@example.com", NEW)["errors"] == []


@pytest.mark.django_db
def test_changing_the_password_kills_earlier_tokens_and_returns_fresh_ones(gql, ada):
    session = login(gql, "ada@example.com")
    other_device = login(gql, "ada@example.com")

    payload = change(bearer_client(session["accessToken"]), PASSWORD, NEW)

    for old in (session, other_device):
        [error] = bearer_client(old["accessToken"]).errors(ME)
        assert error["message"] == "The access token was revoked."
        assert (
            gql.execute(REFRESH, {"token": old["refreshToken"]})["tokenRefresh"]["errors"][0][
                "code"
            ]
            == "INVALID_TOKEN"
        )
    assert bearer_client(payload["accessToken"]).execute(ME) == {"me": {"email": "ada@example.com"}}
    assert gql.execute(REFRESH, {"token": payload["refreshToken"]})["tokenRefresh"]["errors"] == []


@pytest.mark.django_db
def test_a_wrong_old_password_is_refused_and_nothing_changes(gql_as, ada):
    before = stored_password(ada)

    payload = change(gql_as(ada), "not the password", NEW)

    assert payload == {
        "accessToken": None,
        "refreshToken": None,
        "user": None,
        "errors": [
            {
                "field": "oldPassword",
                "code": "INVALID_CREDENTIALS",
                "message": "The password is not correct.",
            }
        ],
    }
    assert stored_password(ada) == before
    assert User.objects.get(pk=ada.pk).token_generation == 0


@pytest.mark.django_db
def test_wrong_old_passwords_count_as_failed_sign_ins(gql_as, ada, settings):
    settings.LOGIN_MAX_FAILURES = 3
    before = stored_password(ada)
    client = gql_as(ada)

    guesses = [change(client, f"guess {n}", NEW)["errors"][0]["code"] for n in range(3)]
    right = change(client, PASSWORD, NEW)

    assert guesses == ["INVALID_CREDENTIALS"] * 3
    assert right["errors"] == [
        {
            "field": "oldPassword",
            "code": "TOO_MANY_ATTEMPTS",
            "message": right["errors"][0]["message"],
        }
    ]
    assert "try again" in right["errors"][0]["message"]
    assert stored_password(ada) == before


@pytest.mark.django_db
def test_a_weak_new_password_is_refused_and_nothing_changes(gql_as, ada):
    before = stored_password(ada)

    payload = change(gql_as(ada), PASSWORD, "abc")

    assert payload["errors"] == [
        {
            "field": "newPassword",
            "code": "PASSWORD_TOO_WEAK",
            "message": "This password is too short. It must contain at least 10 characters. "
            "This password is too common.",
        }
    ]
    assert stored_password(ada) == before
    assert User.objects.get(pk=ada.pk).token_generation == 0


@pytest.mark.django_db(transaction=True)
def test_a_forgotten_password_is_reset_through_the_emailed_link(gql, eager_tasks, settings):
    """End to end: the e-mail leaves through the worker task after commit; its link's token
    sets the password once, and every earlier session dies."""
    settings.MARKET_STOREFRONT_URL = "https://shop.example/"
    UserFactory(email="ada@example.com", is_email_verified=False)
    earlier = login(gql, "ada@example.com")

    requested = gql.execute(RESET_REQUEST, {"email": "ADA@example.com"})
    [message] = mail.outbox
    params = link_params(message.body, "reset-password")
    done = gql.execute(SET_PASSWORD, {**params, "password": NEW})

    assert requested == {"requestPasswordReset": {"errors": []}}
    assert message.to == ["ada@example.com"]
    assert "https://shop.example/reset-password/?email=ada%40example.com&token=" in message.body
    assert done == {"setPassword": {"errors": []}}
    assert login(gql, "ada@example.com", NEW)["errors"] == []
    assert login(gql, "ada@example.com", PASSWORD)["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert bearer_client(earlier["accessToken"]).errors(ME)[0]["message"] == (
        "The access token was revoked."
    )
    assert (
        gql.execute(REFRESH, {"token": earlier["refreshToken"]})["tokenRefresh"]["errors"][0][
            "code"
        ]
        == "INVALID_TOKEN"
    )
    again = gql.execute(SET_PASSWORD, {**params, "password": "another-fine-password-7"})
    assert again["setPassword"]["errors"][0]["code"] == "INVALID_TOKEN"
    assert User.objects.get().is_email_verified is True


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["nobody@example.com", "gone@example.com"])
def test_a_reset_request_answers_alike_and_sends_nothing_without_an_active_account(
    gql, run_on_commit, email
):
    UserFactory(email="gone@example.com", is_active=False)

    with run_on_commit():
        payload = gql.execute(RESET_REQUEST, {"email": email})

    assert payload == {"requestPasswordReset": {"errors": []}}
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["ada@example.com", "nobody@example.com", "gone@example.com"])
def test_a_reset_request_does_the_same_work_for_any_address(
    gql, enqueued, django_capture_on_commit_callbacks, email
):
    """The request only queues the worker's look-up, known address or not: neither the answer
    nor its timing tells which addresses have accounts."""
    UserFactory(email="ada@example.com")
    UserFactory(email="gone@example.com", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        payload = gql.execute(RESET_REQUEST, {"email": email.upper()})

    assert payload == {"requestPasswordReset": {"errors": []}}
    assert enqueued == [("accounts.password_reset_email_send", {"email": email})]


TOO_MANY_RESETS = {
    "requestPasswordReset": {
        "errors": [
            {
                "field": None,
                "code": "TOO_MANY_ATTEMPTS",
                "message": "Too many e-mails asked for this address or from this network: "
                "try again in up to 60 minutes.",
            }
        ]
    }
}


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["ada@example.com", "nobody@example.com"])
def test_reset_e_mails_to_one_address_are_limited_from_any_client(run_on_commit, settings, email):
    """Nobody can flood a person with reset e-mails; a known and an unknown address answer
    alike."""
    settings.ACCOUNT_EMAILS_MAX_PER_RECIPIENT = 2
    UserFactory(email="ada@example.com")
    for address in ("203.0.113.7", "203.0.113.8"):
        with run_on_commit():
            assert client_at(address).execute(RESET_REQUEST, {"email": email}) == {
                "requestPasswordReset": {"errors": []}
            }

    with run_on_commit():
        payload = client_at("198.51.100.9").execute(RESET_REQUEST, {"email": email})

    assert payload == TOO_MANY_RESETS
    assert len(mail.outbox) == (2 if email == "ada@example.com" else 0)


@pytest.mark.django_db
def test_one_client_asking_resets_for_many_addresses_is_refused(run_on_commit, settings):
    settings.ACCOUNT_EMAILS_MAX_PER_CLIENT = 3
    UserFactory(email="ada@example.com")
    client = client_at("203.0.113.7")
    for number in range(3):
        client.execute(RESET_REQUEST, {"email": f"guess{number}@example.com"})

    with run_on_commit():
        refused = client.execute(RESET_REQUEST, {"email": "ada@example.com"})
    with run_on_commit():
        elsewhere = client_at("198.51.100.9").execute(RESET_REQUEST, {"email": "ada@example.com"})

    assert refused == TOO_MANY_RESETS
    assert elsewhere == {"requestPasswordReset": {"errors": []}}
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]


@pytest.mark.django_db
def test_a_bad_reset_token_is_refused_and_nothing_changes(gql, ada):
    before = stored_password(ada)

    payload = gql.execute(
        SET_PASSWORD, {"email": "ada@example.com", "token": "cxyz-0123abcd", "password": NEW}
    )

    assert payload == {
        "setPassword": {
            "errors": [
                {
                    "field": "token",
                    "code": "INVALID_TOKEN",
                    "message": "This password-reset link is not valid or has expired.",
                }
            ]
        }
    }
    assert stored_password(ada) == before


@pytest.mark.django_db
def test_an_email_verification_token_cannot_reset_the_password(gql):
    user = UserFactory(email="ada@example.com", is_email_verified=False)
    before = stored_password(user)

    payload = gql.execute(
        SET_PASSWORD,
        {
            "email": "ada@example.com",
            "password": NEW,
            "token": email_verification_token_generator.make_token(user),
        },
    )

    assert payload["setPassword"]["errors"][0]["code"] == "INVALID_TOKEN"
    assert stored_password(user) == before


@pytest.mark.django_db
def test_an_expired_reset_token_is_refused(gql, ada, settings):
    token = default_token_generator.make_token(ada)
    settings.PASSWORD_RESET_TIMEOUT = -1

    payload = gql.execute(
        SET_PASSWORD, {"email": "ada@example.com", "token": token, "password": NEW}
    )

    assert payload["setPassword"]["errors"][0]["code"] == "INVALID_TOKEN"


@pytest.mark.django_db
def test_a_weak_password_from_a_reset_link_is_refused_and_nothing_changes(gql, ada):
    before = stored_password(ada)

    payload = gql.execute(
        SET_PASSWORD,
        {
            "email": "ada@example.com",
            "token": default_token_generator.make_token(ada),
            "password": "ada@example.com",
        },
    )

    assert payload == {
        "setPassword": {
            "errors": [
                {
                    "field": "password",
                    "code": "PASSWORD_TOO_WEAK",
                    "message": "The password is too similar to the email.",
                }
            ]
        }
    }
    assert stored_password(ada) == before
    assert User.objects.get(pk=ada.pk).token_generation == 0


def test_argon2_hashes_passwords_in_production():
    """Tests swap in a fast hasher; the settings module itself puts Argon2 first."""
    import market.settings

    assert market.settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )

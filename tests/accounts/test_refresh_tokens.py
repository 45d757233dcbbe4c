"""Refresh tokens: kept server-side as hashes, rotated on use, replay kills the sign-in."""

import datetime as dt
import hashlib
import time

import jwt
import pytest
from django.utils import timezone

from market.accounts.models import RefreshToken, User
from market.accounts.tokens import user_from_access_token
from tests.accounts.conftest import ME, REFRESH, REVOKE, REVOKE_ALL, bearer_client, login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INVALID_TOKEN = [
    {
        "field": "refreshToken",
        "code": "INVALID_TOKEN",
        "message": "The refresh token is not valid; sign in again.",
    }
]


def refresh(gql, token):
    return gql.execute(REFRESH, {"token": token})["tokenRefresh"]


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.com")


def test_only_the_hash_of_a_refresh_token_is_stored(gql, ada, settings):
    before = timezone.now()
    token = login(gql, "ada@example.com")["refreshToken"]

    stored = RefreshToken.objects.get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.token_hash, str(stored.family_id)}
    assert stored.revoked_at is None
    assert stored.expires_at - stored.created_at == dt.timedelta(
        seconds=settings.JWT_REFRESH_TOKEN_TTL_SECONDS
    )
    assert stored.created_at >= before


def test_refreshing_gives_new_tokens_that_work(gql, ada):
    first = login(gql, "ada@example.com")

    payload = refresh(gql, first["refreshToken"])

    assert payload["errors"] == []
    assert payload["user"]["email"] == "ada@example.com"
    assert payload["refreshToken"] != first["refreshToken"]
    assert bearer_client(payload["accessToken"]).execute(ME) == {"me": {"email": "ada@example.com"}}
    assert refresh(gql, payload["refreshToken"])["errors"] == []


def test_refreshing_revokes_the_old_refresh_token_within_the_same_family(gql, ada):
    first = login(gql, "ada@example.com")["refreshToken"]

    refresh(gql, first)

    old, new = RefreshToken.objects.order_by("pk")
    assert old.revoked_at is not None
    assert new.revoked_at is None
    assert old.family_id == new.family_id


def test_replaying_a_used_refresh_token_revokes_its_whole_family(gql, ada):
    stolen = login(gql, "ada@example.com")["refreshToken"]
    current = refresh(gql, stolen)["refreshToken"]

    replay = refresh(gql, stolen)

    assert replay == {
        "accessToken": None,
        "refreshToken": None,
        "user": None,
        "errors": INVALID_TOKEN,
    }
    assert refresh(gql, current)["errors"] == INVALID_TOKEN
    assert RefreshToken.objects.filter(revoked_at__isnull=True).count() == 0


def test_a_replay_leaves_the_users_other_sign_ins_alone(gql, ada):
    stolen = login(gql, "ada@example.com")["refreshToken"]
    refresh(gql, stolen)
    other_device = login(gql, "ada@example.com")["refreshToken"]

    refresh(gql, stolen)

    assert refresh(gql, other_device)["errors"] == []


def test_an_expired_refresh_token_is_refused(gql, ada):
    token = login(gql, "ada@example.com")["refreshToken"]
    RefreshToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    payload = refresh(gql, token)

    assert payload["errors"] == INVALID_TOKEN
    assert RefreshToken.objects.count() == 1


def test_an_unknown_refresh_token_is_refused(gql, ada):
    login(gql, "ada@example.com")

    payload = refresh(gql, "not-a-token")

    assert payload["errors"] == INVALID_TOKEN
    assert RefreshToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_deactivated_users_refresh_token_is_refused(gql, ada):
    token = login(gql, "ada@example.com")["refreshToken"]
    User.objects.filter(pk=ada.pk).update(is_active=False)

    payload = refresh(gql, token)

    assert payload["errors"] == INVALID_TOKEN
    assert RefreshToken.objects.count() == 1


def test_signing_out_revokes_the_refresh_token(gql, ada):
    token = login(gql, "ada@example.com")["refreshToken"]

    payload = gql.execute(REVOKE, {"token": token})

    assert payload == {"tokenRevoke": {"errors": []}}
    assert refresh(gql, token)["errors"] == INVALID_TOKEN


def test_signing_out_with_an_unknown_token_answers_success(gql, ada):
    login(gql, "ada@example.com")

    payload = gql.execute(REVOKE, {"token": "not-a-token"})

    assert payload == {"tokenRevoke": {"errors": []}}
    assert RefreshToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_signing_out_everywhere_kills_every_access_and_refresh_token(gql, ada):
    phone = login(gql, "ada@example.com")
    laptop = login(gql, "ada@example.com")

    payload = bearer_client(laptop["accessToken"]).execute(REVOKE_ALL)

    assert payload == {"tokensRevokeAll": {"errors": []}}
    for session in (phone, laptop):
        [error] = bearer_client(session["accessToken"]).errors(ME)
        assert (error["message"], error["extensions"]["code"]) == (
            "The access token was revoked.",
            "unauthenticated",
        )
        assert refresh(gql, session["refreshToken"])["errors"] == INVALID_TOKEN
    assert login(gql, "ada@example.com")["errors"] == []


def refused_on_me(access_token) -> tuple[str, str]:
    [error] = bearer_client(access_token).errors(ME)
    return error["message"], error["extensions"]["code"]


REVOKED = ("The access token was revoked.", "unauthenticated")


def test_a_replay_ends_the_access_tokens_of_that_sign_in_at_once(gql, ada):
    first = login(gql, "ada@example.com")
    rotated = refresh(gql, first["refreshToken"])
    other_device = login(gql, "ada@example.com")

    refresh(gql, first["refreshToken"])

    assert refused_on_me(first["accessToken"]) == REVOKED
    assert refused_on_me(rotated["accessToken"]) == REVOKED
    assert bearer_client(other_device["accessToken"]).execute(ME) == {
        "me": {"email": "ada@example.com"}
    }
    assert refresh(gql, other_device["refreshToken"])["errors"] == []


def test_signing_out_ends_the_access_tokens_of_that_sign_in_only(gql, ada):
    phone = login(gql, "ada@example.com")
    laptop = login(gql, "ada@example.com")

    gql.execute(REVOKE, {"token": phone["refreshToken"]})

    assert refused_on_me(phone["accessToken"]) == REVOKED
    assert bearer_client(laptop["accessToken"]).execute(ME) == {"me": {"email": "ada@example.com"}}


def test_signing_out_with_an_earlier_refresh_token_of_the_sign_in_ends_the_sign_in(gql, ada):
    first = login(gql, "ada@example.com")
    rotated = refresh(gql, first["refreshToken"])

    gql.execute(REVOKE, {"token": first["refreshToken"]})

    assert refresh(gql, rotated["refreshToken"])["errors"] == INVALID_TOKEN
    assert refused_on_me(rotated["accessToken"]) == REVOKED


def test_an_access_token_naming_no_sign_in_is_refused(ada, settings):
    now = int(time.time())
    token = jwt.encode(
        {
            "sub": str(ada.pk),
            "typ": "access",
            "gen": ada.token_generation,
            "iat": now,
            "exp": now + 60,
        },
        settings.SECRET_KEY,
        algorithm="HS256",
    )

    assert refused_on_me(token) == ("The access token is not valid.", "unauthenticated")


def test_an_access_token_is_checked_in_one_query(gql, ada, django_assert_num_queries):
    access_token = login(gql, "ada@example.com")["accessToken"]

    with django_assert_num_queries(1):
        assert user_from_access_token(access_token) == ada

"""Sign-ins that are over are forgotten, but never in a way that lets a stolen token through."""

import datetime as dt

import pytest
from django.utils import timezone

from market.accounts.models import RefreshToken
from market.accounts.services import refresh_tokens_purge
from tests.accounts.conftest import REFRESH, login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LATER = dt.timedelta(days=31)  # past the 30-day refresh token life


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.com")


def refresh(gql, token):
    return gql.execute(REFRESH, {"token": token})["tokenRefresh"]


def test_a_sign_in_whose_tokens_all_expired_is_deleted(gql, ada):
    first = login(gql, "ada@example.com")["refreshToken"]
    refresh(gql, first)  # rotated: one revoked, one live token in the family

    deleted = refresh_tokens_purge(now=timezone.now() + LATER)

    assert deleted == 2
    assert not RefreshToken.objects.exists()


def test_a_live_sign_in_keeps_its_revoked_tokens_so_a_replay_is_still_caught(gql, ada):
    stolen = login(gql, "ada@example.com")["refreshToken"]
    thief = refresh(gql, stolen)["refreshToken"]  # the thief rotated first
    RefreshToken.objects.filter(revoked_at__isnull=False).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )  # the stolen one has expired

    assert refresh_tokens_purge() == 0
    refresh(gql, stolen)  # the owner presents the old token: a replay

    assert refresh(gql, thief)["errors"][0]["code"] == "INVALID_TOKEN"


def test_other_sign_ins_are_left_alone(gql, ada):
    login(gql, "ada@example.com")
    RefreshToken.objects.update(expires_at=timezone.now() - dt.timedelta(days=1))
    login(gql, "ada@example.com")  # a new sign-in, live

    assert refresh_tokens_purge() == 1
    assert RefreshToken.objects.count() == 1
    assert RefreshToken.objects.get().expires_at > timezone.now()

import threading

import pytest

from market.accounts.models import RefreshToken
from market.accounts.services import token_refresh, user_login
from tests.accounts.conftest import PASSWORD
from tests.concurrency import domain_outcomes, race
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_refresh_token_used_twice_at_once_rotates_once_and_ends_the_sign_in():
    """The loser of the race sees a revoked token: exactly a replay, so the family dies."""
    UserFactory(email="ada@example.com")
    token = user_login(
        email="ada@example.com", password=PASSWORD, client_address="127.0.0.1"
    ).refresh_token
    outcomes = race(*[lambda: token_refresh(refresh_token=token)] * 2)

    assert sorted(domain_outcomes(outcomes, ok="rotated")) == ["invalid_token", "rotated"]
    assert RefreshToken.objects.count() == 2
    assert RefreshToken.objects.filter(revoked_at__isnull=True).count() == 0


@pytest.mark.timeout(60)
def test_failed_sign_ins_made_at_once_are_held_to_the_limit(settings, monkeypatch):
    """Ten wrong passwords at once for one account from one address: three are checked, seven
    refused. The checks wait for one another, so with a limit checked before counting all ten
    would be past it before any had failed."""
    import market.accounts.services as services

    settings.LOGIN_MAX_FAILURES = 3
    UserFactory(email="ada@example.com")
    attempts = 10
    all_checking = threading.Barrier(attempts, timeout=3)
    authenticate = services.authenticate

    def authenticate_once_all_are_checking(*args, **kwargs):
        try:
            all_checking.wait()
        except threading.BrokenBarrierError:
            pass  # fewer than all got this far: what the limit is for
        return authenticate(*args, **kwargs)

    monkeypatch.setattr(services, "authenticate", authenticate_once_all_are_checking)
    outcomes = race(
        *[
            lambda: user_login(
                email="ada@example.com", password="wrong password", client_address="203.0.113.7"
            )
        ]
        * attempts
    )

    assert (
        sorted(domain_outcomes(outcomes, ok="signed_in"))
        == ["invalid_credentials"] * 3 + ["too_many_attempts"] * 7
    )
    assert RefreshToken.objects.count() == 0

import threading

import pytest
from django.db import connection

from market.accounts.models import RefreshToken
from market.accounts.services import token_refresh, user_login
from market.core.errors import DomainError
from tests.accounts.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_refresh_token_used_twice_at_once_rotates_once_and_ends_the_sign_in():
    """The loser of the race sees a revoked token: exactly a replay, so the family dies."""
    UserFactory(email="ada@example.com")
    token = user_login(email="ada@example.com", password=PASSWORD,
                       client_address="127.0.0.1").refresh_token
    start = threading.Barrier(2)
    pairs, refusals = [], []

    def use():
        try:
            start.wait()
            pairs.append(token_refresh(refresh_token=token))
        except DomainError as error:
            refusals.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(pairs) == 1
    assert refusals == ["invalid_token"]
    assert RefreshToken.objects.count() == 2
    assert RefreshToken.objects.filter(revoked_at__isnull=True).count() == 0

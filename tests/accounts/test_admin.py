"""The admin lists refresh tokens for support, and never lets anyone edit them."""

import pytest

from tests.accounts.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_refresh_tokens_are_listed_with_their_owner(admin_client, gql):
    UserFactory(email="ada@example.com")
    login(gql, "ada@example.com")

    response = admin_client.get("/admin/accounts/refreshtoken/")

    assert response.status_code == 200
    assert b"ada@example.com" in response.content


def test_refresh_tokens_cannot_be_added_in_the_admin(admin_client):
    response = admin_client.get("/admin/accounts/refreshtoken/add/")

    assert response.status_code == 403

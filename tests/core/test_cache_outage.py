"""When the shared cache (Redis) does not answer, signing in and the catalogue keep working:
the limits fall back to the process's memory, the outage is logged, and no client sees the
connection error."""

import logging

import pytest

from tests.factories import UserFactory, listed_product

pytestmark = pytest.mark.django_db

TOKEN_CREATE = """
mutation($email: String!, $password: String!) {
  tokenCreate(email: $email, password: $password) { accessToken errors { field code message } }
}
"""


def test_signing_in_works_while_the_cache_is_down_and_the_outage_is_logged(gql, redis_down, caplog):
    user = UserFactory(email="buyer@example.com", password="a long pass phrase")

    with caplog.at_level(logging.WARNING, logger="market.core.cache"):
        data = gql.execute(TOKEN_CREATE, {"email": user.email, "password": "a long pass phrase"})

    assert data["tokenCreate"]["errors"] == []
    assert data["tokenCreate"]["accessToken"]
    assert "shared cache does not answer" in caplog.text


def test_the_sign_in_limit_still_holds_per_process_while_the_cache_is_down(
    gql, redis_down, settings
):
    settings.LOGIN_MAX_FAILURES = 3
    UserFactory(email="buyer@example.com", password="a long pass phrase")

    codes = []
    for _ in range(5):
        data = gql.execute(TOKEN_CREATE, {"email": "buyer@example.com", "password": "wrong"})
        codes.append(data["tokenCreate"]["errors"][0]["code"])
        assert "connect" not in data["tokenCreate"]["errors"][0]["message"].lower()

    assert codes[:3] == ["INVALID_CREDENTIALS"] * 3
    assert set(codes[3:]) == {"TOO_MANY_ATTEMPTS"}


def test_the_catalogue_page_answers_while_the_cache_is_down(client, redis_down):
    product = listed_product()

    response = client.get("/products/")

    assert response.status_code == 200
    assert product.name in response.content.decode()

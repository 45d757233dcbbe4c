"""The admin's login page has the API's sign-in limits, counted together with the API's."""

import pytest
from django.test import Client

from tests.accounts.conftest import PASSWORD, login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_throttle(settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_MAX_FAILURES_PER_CLIENT = 5
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 600


@pytest.fixture
def staff():
    return UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)


def admin_login(client: Client, email: str, password: str = PASSWORD):
    return client.post("/admin/login/?next=/admin/", {"username": email, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_staff_sign_in_to_the_admin_with_the_right_password(staff):
    client = Client()

    response = admin_login(client, "staff@example.com")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert signed_in(client)


def test_after_too_many_wrong_passwords_the_admin_refuses_even_the_right_one(staff):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert admin_login(client, "staff@example.com", "wrong password").status_code == 200

    response = admin_login(client, "staff@example.com")

    assert response.status_code == 200
    assert b"Too many failed sign-ins: try again in up to 10 minutes." in response.content
    assert not signed_in(client)


def test_the_admin_owner_still_signs_in_from_another_address(staff):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        admin_login(attacker, "staff@example.com", "wrong password")

    owner = Client(REMOTE_ADDR="198.51.100.9")
    response = admin_login(owner, "staff@example.com")

    assert response.status_code == 302
    assert signed_in(owner)


def test_one_client_guessing_many_admin_accounts_is_refused_for_every_account(staff):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(5):
        admin_login(client, f"guess{number}@example.com", "wrong password")

    response = admin_login(client, "staff@example.com")

    assert b"Too many failed sign-ins" in response.content
    assert not signed_in(client)


def test_failures_in_the_api_and_in_the_admin_count_together(gql, staff):
    """gql's requests and a default test Client come from the same address (127.0.0.1)."""
    login(gql, "staff@example.com", "wrong password")
    login(gql, "staff@example.com", "wrong password")
    client = Client()
    admin_login(client, "staff@example.com", "wrong password")

    response = admin_login(client, "staff@example.com")
    from_api = login(gql, "staff@example.com")

    assert not signed_in(client)
    assert b"Too many failed sign-ins" in response.content
    assert from_api["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"


def test_a_customer_with_the_right_password_is_still_not_let_into_the_admin():
    UserFactory(email="ada@example.com")
    client = Client()

    response = admin_login(client, "ada@example.com")

    assert response.status_code == 200
    assert b"Please enter the correct email and password for a staff account" in (response.content)
    assert not signed_in(client)

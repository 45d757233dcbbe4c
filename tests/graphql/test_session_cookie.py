"""/graphql/ is exempt from CSRF checks, so the admin's session cookie never signs anyone in
there, whatever the Authorization header holds: only a valid bearer token does."""

import pytest
from django.test import Client
from graphql_relay import to_global_id

from market.accounts.services import sign_in_create
from market.sellers.models import SellerStatus
from tests.factories import SellerFactory, UserFactory

pytestmark = pytest.mark.django_db

ME = "{ me { email isStaff } }"


@pytest.fixture
def admin_browser():
    """A browser holding the session cookie of a signed-in superuser."""
    admin = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "authorization",
    [None, "Basic cm9vdDpzZWNyZXQ=", "Bearer ", "Bearer", "Token x", "bearer   ", "JWT abc"],
)
def test_the_session_cookie_never_answers_me(admin_browser, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}

    response = admin_browser.post(
        "/graphql/", data={"query": ME}, content_type="application/json", headers=headers
    )

    body = response.json()
    assert b"root@example.com" not in response.content
    if body.get("errors"):
        assert [e["extensions"]["code"] for e in body["errors"]] == ["unauthenticated"]
    else:
        assert body["data"] == {"me": None}


def test_the_session_cookie_never_authorises_a_mutation(admin_browser):
    seller = SellerFactory(status=SellerStatus.APPROVED)
    seller_id = to_global_id("Seller", seller.pk)

    response = admin_browser.post(
        "/graphql/",
        content_type="application/json",
        headers={"Authorization": "Basic x"},
        data={
            "query": f'mutation {{ sellerSuspend(id: "{seller_id}", reason: "spam") '
            "{ errors { code } } }"
        },
    )

    assert response.json()["errors"][0]["extensions"]["code"] == "unauthenticated"
    seller.refresh_from_db()
    assert seller.status == SellerStatus.APPROVED


def test_a_bearer_token_answers_for_its_own_user_not_the_session(admin_browser):
    buyer = UserFactory(email="buyer@example.com")

    response = admin_browser.post(
        "/graphql/",
        data={"query": ME},
        content_type="application/json",
        headers={"Authorization": f"Bearer {sign_in_create(user=buyer).access_token}"},
    )

    assert response.json()["data"] == {"me": {"email": "buyer@example.com", "isStaff": False}}


def test_another_scheme_says_which_one_is_accepted(gql):
    response = gql.client.post(
        "/graphql/",
        data={"query": ME},
        content_type="application/json",
        headers={"Authorization": "Token x"},
    )

    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "unauthenticated"
    assert "Bearer" in error["message"]


def test_the_admin_still_signs_in_with_its_session(admin_browser):
    assert admin_browser.get("/admin/").status_code == 200

"""The ``me`` query: the signed-in user's own account, or why the token was refused."""

import pytest
from django.contrib.auth.models import Group
from graphene import relay

from market.accounts.models import User
from market.sellers.models import SellerStatus
from tests.accounts.conftest import bearer_client
from tests.factories import SellerFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ME = """{ me { id email firstName lastName isEmailVerified isStaff permissions
               seller { id name slug status } } }"""


def test_anonymous_callers_get_null(gql):
    assert gql.execute(ME) == {"me": None}


def test_a_buyer_sees_their_own_account(gql_as):
    user = UserFactory(
        email="ada@example.com", first_name="Ada", last_name="Lovelace", is_email_verified=False
    )

    data = gql_as(user).execute(ME)

    assert data == {
        "me": {
            "id": relay.Node.to_global_id("User", user.pk),
            "email": "ada@example.com",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "isEmailVerified": False,
            "isStaff": False,
            "permissions": [],
            "seller": None,
        }
    }


def test_a_seller_sees_their_shop_in_any_state(gql_as):
    user = UserFactory()
    seller = SellerFactory(
        user=user, name="Kilim Studio", slug="kilim-studio", status=SellerStatus.DRAFT
    )

    data = gql_as(user).execute(ME)

    assert data["me"]["seller"] == {
        "id": relay.Node.to_global_id("Seller", seller.pk),
        "name": "Kilim Studio",
        "slug": "kilim-studio",
        "status": "draft",
    }


def test_staff_see_the_permissions_they_hold_directly_and_through_groups(gql_as):
    staff = StaffFactory(permissions=["catalog.manage_catalog"])
    staff.groups.add(Group.objects.get(name="Seller managers"))

    data = gql_as(staff).execute(ME)

    assert data["me"]["isStaff"] is True
    assert data["me"]["permissions"] == ["catalog.manage_catalog", "sellers.manage_sellers"]


def test_permissions_of_someone_who_is_not_staff_count_for_nothing(gql_as):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Seller managers"))

    data = gql_as(user).execute(ME)

    assert data["me"]["permissions"] == []


def test_a_revoked_access_token_is_refused_with_the_reason(gql_as):
    user = UserFactory()
    client = gql_as(user)
    User.objects.filter(pk=user.pk).update(token_generation=1)

    [error] = client.errors(ME)

    assert (error["message"], error["extensions"]["code"]) == (
        "The access token was revoked.",
        "unauthenticated",
    )


def test_an_expired_access_token_is_refused_with_the_reason(gql_as, settings):
    settings.JWT_ACCESS_TOKEN_TTL_SECONDS = -1
    client = gql_as(UserFactory())

    [error] = client.errors(ME)

    assert (error["message"], error["extensions"]["code"]) == (
        "The access token has expired.",
        "unauthenticated",
    )


def test_a_malformed_access_token_is_refused_with_the_reason(db):
    [error] = bearer_client("not.a.jwt").errors(ME)

    assert (error["message"], error["extensions"]["code"]) == (
        "The access token is not valid.",
        "unauthenticated",
    )


def test_a_deactivated_users_access_token_is_refused(gql_as):
    user = UserFactory()
    client = gql_as(user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    [error] = client.errors(ME)

    assert error["extensions"]["code"] == "unauthenticated"

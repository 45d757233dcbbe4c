"""Through the API: a person exports and erases their own data; staff holding
core.manage_personal_data do it for someone; nobody else reaches anyone's data."""

import json

import pytest
from graphql_relay import to_global_id

from market.accounts.models import User
from market.core.models import PersonalDataAccess
from tests.accounts.conftest import PASSWORD
from tests.factories import StaffFactory, UserFactory
from tests.privacy.helpers import buyer, delivered_order

pytestmark = pytest.mark.django_db

ERRORS = "errors { field code message }"
OWN_EXPORT = f"mutation {{ accountPersonalDataExport {{ data {ERRORS} }} }}"
OWN_ERASE = f"mutation($p: String!) {{ accountErase(password: $p) {{ {ERRORS} }} }}"
EXPORT = f"""mutation($id: ID!, $reason: String!) {{
  userPersonalDataExport(userId: $id, reason: $reason) {{ data {ERRORS} }} }}"""
ERASE = f"""mutation($id: ID!, $reason: String!) {{
  userErase(userId: $id, reason: $reason) {{ {ERRORS} }} }}"""
ME = "{ me { email } }"
PRIVACY = "core.manage_personal_data"


def _id(user):
    return to_global_id("User", user.pk)


def test_a_person_downloads_their_own_data(gql_as):
    leyla = buyer()
    order, _, _ = delivered_order(buyer=leyla)

    body = gql_as(leyla).post(OWN_EXPORT).json()

    payload = body["data"]["accountPersonalDataExport"]
    assert payload["errors"] == []
    data = json.loads(payload["data"])
    assert data["account"]["email"] == leyla.email
    assert [o["number"] for o in data["orders"]] == [order.number]


def test_a_person_erases_their_account_with_the_password_and_its_token_dies(gql_as):
    leyla = buyer()
    client = gql_as(leyla)

    wrong = client.post(OWN_ERASE, {"p": "not it"}).json()["data"]["accountErase"]
    assert [e["code"] for e in wrong["errors"]] == ["INVALID_CREDENTIALS"]
    assert User.objects.get(pk=leyla.pk).is_active

    done = client.post(OWN_ERASE, {"p": PASSWORD}).json()["data"]["accountErase"]

    assert done["errors"] == []
    assert not User.objects.get(pk=leyla.pk).is_active
    assert client.post(ME).json()["errors"][0]["extensions"]["code"] == "unauthenticated"


def test_a_stolen_token_cannot_guess_the_password_through_erasure(gql_as, settings):
    settings.LOGIN_MAX_FAILURES = 3
    leyla = buyer()
    thief = gql_as(leyla)

    codes = [
        thief.post(OWN_ERASE, {"p": f"guess {n}"}).json()["data"]["accountErase"]["errors"][0]
        for n in range(3)
    ]
    right = thief.post(OWN_ERASE, {"p": PASSWORD}).json()["data"]["accountErase"]
    sign_in = gql_as(None).post(
        "mutation($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) "
        "{ errors { code } } }",
        {"e": leyla.email, "p": PASSWORD},
    )

    assert [e["code"] for e in codes] == ["INVALID_CREDENTIALS"] * 3
    assert right["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"
    assert right["errors"][0]["field"] == "password"
    assert User.objects.get(pk=leyla.pk).is_active
    # The guesses counted as failed sign-ins to the account from that address.
    assert sign_in.json()["data"]["tokenCreate"]["errors"] == [{"code": "TOO_MANY_ATTEMPTS"}]


def test_erasure_refused_while_an_order_is_open_says_why(gql_as):
    leyla = buyer()
    delivered_order(buyer=leyla, days_ago=1)

    payload = gql_as(leyla).post(OWN_ERASE, {"p": PASSWORD}).json()["data"]["accountErase"]

    assert [e["code"] for e in payload["errors"]] == ["ERASURE_MUST_WAIT"]
    assert "refund window" in payload["errors"][0]["message"]


@pytest.mark.parametrize("role", ["anonymous", "buyer", "seller", "staff_without_permission"])
@pytest.mark.parametrize("document", [EXPORT, ERASE], ids=["export", "erase"])
def test_nobody_but_privacy_staff_exports_or_erases_someone_else(gql_as, role, document):
    leyla = buyer()
    askers = {
        "anonymous": None,
        "buyer": UserFactory(),
        "seller": delivered_order(buyer=UserFactory())[1].user,
        "staff_without_permission": StaffFactory(permissions=["orders.manage_orders"]),
    }

    body = gql_as(askers[role]).post(document, {"id": _id(leyla), "reason": "curious"}).json()

    expected = "unauthenticated" if role == "anonymous" else "permission_denied"
    assert [e["extensions"]["code"] for e in body["errors"]] == [expected]
    assert list(body["data"].values()) == [None]
    assert User.objects.get(pk=leyla.pk).is_active
    assert not PersonalDataAccess.objects.filter(action__in=["export", "erase"]).exists()


def test_privacy_staff_export_and_erase_someone_and_each_is_logged_with_the_reason(gql_as):
    leyla, officer = buyer(), StaffFactory(permissions=[PRIVACY])
    client = gql_as(officer)

    exported = client.post(EXPORT, {"id": _id(leyla), "reason": "Ticket 7"}).json()
    erased = client.post(ERASE, {"id": _id(leyla), "reason": "Ticket 8"}).json()

    data = json.loads(exported["data"]["userPersonalDataExport"]["data"])
    assert data["account"]["email"] == leyla.email
    assert erased["data"]["userErase"]["errors"] == []
    rows = list(
        PersonalDataAccess.objects.order_by("pk").values_list(
            "actor_id", "subject_id", "action", "reason"
        )
    )
    assert rows == [
        (officer.pk, leyla.pk, "export", "Ticket 7"),
        (officer.pk, leyla.pk, "erase", "Ticket 8"),
    ]


def test_the_audit_row_carries_the_servers_request_id_not_one_the_client_chose(gql_as):
    leyla, officer = buyer(), StaffFactory(permissions=[PRIVACY])
    client = gql_as(officer)
    client.headers["X-Request-ID"] = "someone-elses-request-1"

    response = client.post(EXPORT, {"id": _id(leyla), "reason": "Ticket 9"})

    assert response.json()["data"]["userPersonalDataExport"]["errors"] == []
    entry = PersonalDataAccess.objects.get(action="export")
    assert entry.request_id != "someone-elses-request-1"
    assert entry.request_id == response["X-Request-ID"]


def test_staff_naming_an_unknown_person_get_not_found(gql_as):
    officer = StaffFactory(permissions=[PRIVACY])

    body = gql_as(officer).post(ERASE, {"id": to_global_id("User", 987654), "reason": "x"}).json()

    assert [e["code"] for e in body["data"]["userErase"]["errors"]] == ["NOT_FOUND"]

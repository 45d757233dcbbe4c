"""Who may call each seller mutation: anonymous, buyer, another seller, the owner, staff
without and with ``sellers.manage_sellers``. A refusal changes nothing."""

import pytest
from graphql_relay import to_global_id

from market.sellers.models import Seller, SellerStatus
from tests.factories import StaffFactory, UserFactory
from tests.sellers.helpers import (
    APPROVE,
    CREATE,
    DELETE_DOCUMENT,
    REINSTATE,
    REJECT,
    SUBMIT,
    SUSPEND,
    UPDATE,
    UPLOAD,
    application,
    pdf_upload,
    seller_gid,
    snapshot,
    with_document,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "buyer", "other_seller", "owner", "staff", "staff_with_permission"]

# The owner's application is in the status the mutation needs to succeed.
MUTATIONS = {
    "sellerApplicationCreate": (CREATE, SellerStatus.DRAFT),
    "sellerApplicationUpdate": (UPDATE, SellerStatus.DRAFT),
    "sellerDocumentUpload": (UPLOAD, SellerStatus.DRAFT),
    "sellerDocumentDelete": (DELETE_DOCUMENT, SellerStatus.DRAFT),
    "sellerApplicationSubmit": (SUBMIT, SellerStatus.DRAFT),
    "sellerApplicationApprove": (APPROVE, SellerStatus.SUBMITTED),
    "sellerApplicationReject": (REJECT, SellerStatus.SUBMITTED),
    "sellerSuspend": (SUSPEND, SellerStatus.APPROVED),
    "sellerReinstate": (REINSTATE, SellerStatus.SUSPENDED),
}

STAFF_ONLY = {
    "sellerApplicationApprove",
    "sellerApplicationReject",
    "sellerSuspend",
    "sellerReinstate",
}
APPLICANT = {
    "sellerApplicationUpdate",
    "sellerDocumentUpload",
    "sellerDocumentDelete",
    "sellerApplicationSubmit",
}

# What each role gets: a top-level error code, "ok", or a payload error code.
EXPECTED = {
    "sellerApplicationCreate": {
        "anonymous": "unauthenticated",
        "buyer": "ok",
        "other_seller": "ALREADY_APPLIED",
        "owner": "ALREADY_APPLIED",
        "staff": "ok",
        "staff_with_permission": "ok",
    },
    **{
        name: {
            "anonymous": "unauthenticated",
            "buyer": "permission_denied",
            "other_seller": "own_seller_only",
            "owner": "ok",
            "staff": "permission_denied",
            "staff_with_permission": "permission_denied",
        }
        for name in APPLICANT
    },
    **{
        name: {
            "anonymous": "unauthenticated",
            "buyer": "permission_denied",
            "other_seller": "permission_denied",
            "owner": "permission_denied",
            "staff": "permission_denied",
            "staff_with_permission": "ok",
        }
        for name in STAFF_ONLY
    },
}
# Another seller's delete names the owner's document: it answers like a missing one.
EXPECTED["sellerDocumentDelete"]["other_seller"] = "NOT_FOUND"


def given(status):
    owner = application(user=UserFactory(), status=status, name="Owner Studio")
    document = with_document(owner)
    other = application(user=UserFactory(), name="Other Studio")
    with_document(other)
    users = {
        "anonymous": None,
        "buyer": UserFactory(),
        "other_seller": other.user,
        "owner": owner.user,
        "staff": StaffFactory(),
        "staff_with_permission": StaffFactory(permissions=["sellers.manage_sellers"]),
    }
    return owner, other, document, users


def call(gql_as, user, name, query, owner, document) -> dict:
    client = gql_as(user)
    if name == "sellerDocumentUpload":
        return client.upload(
            query, {"kind": "portfolio", "file": None}, {"variables.file": pdf_upload()}
        ).json()
    variables = {
        "sellerApplicationCreate": {"input": {"name": "New Studio", "discipline": "design"}},
        "sellerApplicationUpdate": {"input": {"city": "Sheki"}},
        "sellerDocumentDelete": {"id": to_global_id("SellerDocument", document.pk)},
        "sellerApplicationSubmit": {},
        "sellerApplicationReject": {"id": seller_gid(owner), "reason": "Incomplete."},
        "sellerSuspend": {"id": seller_gid(owner), "reason": "Complaints."},
    }.get(name, {"id": seller_gid(owner)})
    return client.post(query, variables).json()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MUTATIONS))
def test_authorization_matrix(gql_as, name, role):
    query, status = MUTATIONS[name]
    owner, other, document, users = given(status)
    expected = EXPECTED[name][role]
    owner_before, all_before = snapshot(owner), snapshot()

    body = call(gql_as, users[role], name, query, owner, document)

    if expected in ("unauthenticated", "permission_denied"):
        assert [e["extensions"]["code"] for e in body["errors"]] == [expected]
        assert body["data"] == {name: None}
        assert snapshot() == all_before
        return
    assert "errors" not in body, body["errors"]
    payload = body["data"][name]
    if expected == "ok":
        assert payload["errors"] == []
    elif expected == "own_seller_only":
        # The applicant mutations know no seller id: another seller acts on their own shop.
        assert payload["errors"] == []
        assert payload["seller"]["status"] == Seller.objects.get(pk=other.pk).status
        assert snapshot(owner) == owner_before
    else:
        assert [e["code"] for e in payload["errors"]] == [expected]
        assert snapshot() == all_before


def test_another_sellers_submit_leaves_this_application_untouched(gql_as):
    owner, other, _, _ = given(SellerStatus.DRAFT)
    owner_before = snapshot(owner)

    result = gql_as(other.user).execute(SUBMIT)["sellerApplicationSubmit"]

    assert result["errors"] == []
    assert result["seller"]["name"] == "Other Studio"
    assert Seller.objects.get(pk=other.pk).status == SellerStatus.SUBMITTED
    assert snapshot(owner) == owner_before

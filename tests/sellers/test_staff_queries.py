"""Staff review queries and what the API says about malformed or unknown input."""

import pytest

from market.sellers.models import SellerStatus
from tests.factories import StaffFactory, UserFactory
from tests.sellers.helpers import (
    APPROVE,
    CREATE,
    PDF_BYTES,
    PROFILE,
    REJECT,
    application,
    seller_gid,
    snapshot,
    with_document,
)

pytestmark = pytest.mark.django_db

APPLICATIONS = """query ($status: String, $first: Int, $after: String) {
  sellerApplications(status: $status, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { name status } } } }"""
APPLICATION = f"""query ($id: ID!) {{ sellerApplication(id: $id) {{ {PROFILE} }} }}"""


def reviewer():
    return StaffFactory(permissions=["sellers.manage_sellers"])


def test_staff_list_applications_in_one_status_oldest_submission_first(gql_as):
    from django.utils import timezone

    now = timezone.now()
    application(user=UserFactory(), name="Late", status=SellerStatus.SUBMITTED, submitted_at=now)
    application(
        user=UserFactory(),
        name="Early",
        status=SellerStatus.SUBMITTED,
        submitted_at=now - timezone.timedelta(days=2),
    )
    application(user=UserFactory(), name="Draft", status=SellerStatus.DRAFT)

    data = gql_as(reviewer()).execute(APPLICATIONS, {"status": "submitted", "first": 1})

    page = data["sellerApplications"]
    assert page["totalCount"] == 2
    assert page["edges"] == [{"node": {"name": "Early", "status": "submitted"}}]
    assert page["pageInfo"]["hasNextPage"] is True
    after = gql_as(reviewer()).execute(
        APPLICATIONS, {"status": "submitted", "first": 1, "after": page["pageInfo"]["endCursor"]}
    )["sellerApplications"]
    assert after["edges"] == [{"node": {"name": "Late", "status": "submitted"}}]


def test_an_unknown_status_filter_is_refused(gql_as):
    errors = gql_as(reviewer()).errors(APPLICATIONS, {"status": "pending"})

    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in errors] == [
        ("invalid", "status")
    ]


def test_listing_applications_keeps_a_fixed_number_of_queries(
    gql_as, django_assert_max_num_queries
):
    for n in range(5):
        seller = application(user=UserFactory(), name=f"Studio {n}", status=SellerStatus.SUBMITTED)
        with_document(seller)
    query = f"{{ sellerApplications(first: 10) {{ edges {{ node {{ {PROFILE} }} }} }} }}"
    client = gql_as(reviewer())

    # token user + permissions, sellers with users, documents, events with actors
    with django_assert_max_num_queries(8):
        data = client.execute(query)

    assert len(data["sellerApplications"]["edges"]) == 5


def test_staff_see_one_application_with_documents_and_history(gql_as):
    seller = application(
        user=UserFactory(email="maker@example.com"), name="Kapaz", status=SellerStatus.SUBMITTED
    )
    with_document(seller)
    staff = reviewer()
    gql_as(staff).execute(REJECT, {"id": seller_gid(seller), "reason": "Add a portfolio."})

    data = gql_as(staff).execute(APPLICATION, {"id": seller_gid(seller)})["sellerApplication"]

    assert data["name"] == "Kapaz"
    assert data["rejectionReason"] == "Add a portfolio."
    assert data["documents"] == [
        {
            "id": data["documents"][0]["id"],
            "kind": "residency_certificate",
            "originalName": "certificate.pdf",
            "contentType": "application/pdf",
            "sizeBytes": len(PDF_BYTES),
        }
    ]
    assert data["events"] == [
        {
            "kind": "rejected",
            "fromStatus": "submitted",
            "toStatus": "rejected",
            "note": "Add a portfolio.",
            "actorEmail": staff.email,
        }
    ]


@pytest.mark.parametrize("query", [APPLICATIONS, APPLICATION])
@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("anonymous", "unauthenticated"),
        ("buyer", "permission_denied"),
        ("seller", "permission_denied"),
        ("staff", "permission_denied"),
    ],
)
def test_only_staff_with_manage_sellers_review_applications(gql_as, query, who, code):
    seller = application(user=UserFactory())
    user = {
        "anonymous": None,
        "buyer": UserFactory(),
        "seller": seller.user,
        "staff": StaffFactory(),
    }[who]

    errors = gql_as(user).errors(query, {"id": seller_gid(seller)})

    assert [e["extensions"]["code"] for e in errors] == [code]


def test_a_malformed_seller_id_is_refused_in_the_payload(gql_as):
    seller = application(user=UserFactory(), status=SellerStatus.SUBMITTED)
    before = snapshot()

    result = gql_as(reviewer()).execute(APPROVE, {"id": "not-an-id"})

    assert [(e["field"], e["code"]) for e in result["sellerApplicationApprove"]["errors"]] == [
        ("id", "INVALID")
    ]
    assert snapshot() == before
    assert seller.status == SellerStatus.SUBMITTED


def test_an_unknown_discipline_names_the_allowed_ones_in_the_payload(gql_as):
    before = snapshot()

    result = gql_as(UserFactory()).execute(
        CREATE, {"input": {"name": "Studio", "discipline": "pottery"}}
    )

    assert [(e["field"], e["code"]) for e in result["sellerApplicationCreate"]["errors"]] == [
        ("discipline", "UNKNOWN_DISCIPLINE")
    ]
    assert snapshot() == before


def test_the_owner_does_not_see_staff_members_addresses(gql_as):
    maker = UserFactory(email="maker@example.com")
    seller = application(user=maker, status=SellerStatus.SUBMITTED)
    gql_as(reviewer()).execute(REJECT, {"id": seller_gid(seller), "reason": "Add a portfolio."})

    events = gql_as(maker).execute(
        'mutation { sellerApplicationUpdate(input: {city: "Sheki"}) { seller { events { '
        "kind actorEmail } } } }"
    )["sellerApplicationUpdate"]["seller"]["events"]

    assert events == [
        {"kind": "rejected", "actorEmail": None},
        {"kind": "updated", "actorEmail": "maker@example.com"},
    ]

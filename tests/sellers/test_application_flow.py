"""An application's life through the API: apply, submit, review, suspend, reinstate."""

import pytest
from django.core import mail

from market.sellers.models import Seller, SellerStatus
from tests.factories import StaffFactory, UserFactory, listed_product
from tests.sellers.helpers import (
    APPROVE,
    CREATE,
    REINSTATE,
    REJECT,
    SUBMIT,
    SUSPEND,
    UPDATE,
    UPLOAD,
    application,
    pdf_upload,
    seller_gid,
    with_document,
)

pytestmark = pytest.mark.django_db

PUBLIC_SELLER = "query ($slug: String!) { seller(slug: $slug) { name slug } }"
PUBLIC_PRODUCTS = "{ products(first: 10) { edges { node { name } } } }"
MY_INPUT = {
    "name": "Shirvan Looms",
    "bio": "Hand-knotted carpets from Shamakhi wool.",
    "discipline": "Crafts",
    "residentProgramme": "Crafts residency 2026",
    "membershipNumber": "RC-0042",
    "city": "Baku",
    "country": "az",
    "contactPhone": "+994 50 123 45 67",
}


def test_an_approved_application_becomes_a_public_shop(gql, gql_as):
    """Given a verified user who applies, attaches a certificate and submits, when staff with
    sellers.manage_sellers approve, then the shop is public."""
    maker = UserFactory(email="nigar@example.com")
    staff = StaffFactory(email="reviewer@example.com", permissions=["sellers.manage_sellers"])
    as_maker = gql_as(maker)

    created = as_maker.execute(CREATE, {"input": MY_INPUT})["sellerApplicationCreate"]
    assert created["errors"] == []
    assert created["seller"]["status"] == "draft"
    assert created["seller"]["slug"] == "shirvan-looms"
    assert created["seller"]["discipline"] == "CRAFTS"
    assert created["seller"]["country"] == {"code": "AZ"}
    assert created["seller"]["contactEmail"] == "nigar@example.com"
    assert gql.execute(PUBLIC_SELLER, {"slug": "shirvan-looms"})["seller"] is None

    uploaded = as_maker.upload(
        UPLOAD,
        {"kind": "residency_certificate", "file": None},
        {"variables.file": pdf_upload("certificate.pdf")},
    ).json()
    assert uploaded["data"]["sellerDocumentUpload"]["errors"] == []
    submitted = as_maker.execute(SUBMIT)["sellerApplicationSubmit"]
    assert submitted["errors"] == []
    assert submitted["seller"]["status"] == "submitted"
    assert submitted["seller"]["submittedAt"] is not None

    seller_id = created["seller"]["id"]
    approved = gql_as(staff).execute(APPROVE, {"id": seller_id})["sellerApplicationApprove"]

    assert approved["errors"] == []
    assert approved["seller"]["status"] == "approved"
    assert approved["seller"]["decidedAt"] is not None
    assert [
        (e["kind"], e["fromStatus"], e["toStatus"], e["actorEmail"])
        for e in approved["seller"]["events"]
    ] == [
        ("created", None, "draft", "nigar@example.com"),
        ("document_added", None, None, "nigar@example.com"),
        ("submitted", "draft", "submitted", "nigar@example.com"),
        ("approved", "submitted", "approved", "reviewer@example.com"),
    ]
    assert gql.execute(PUBLIC_SELLER, {"slug": "shirvan-looms"})["seller"] == {
        "name": "Shirvan Looms",
        "slug": "shirvan-looms",
    }


def test_a_rejected_application_can_be_edited_and_resubmitted(gql_as):
    """Given a submitted application that staff reject with a reason, the applicant sees the
    reason, edits the application and submits it again."""
    maker = UserFactory()
    seller = application(user=maker, status=SellerStatus.SUBMITTED)
    with_document(seller)
    staff = StaffFactory(permissions=["sellers.manage_sellers"])

    rejected = gql_as(staff).execute(
        REJECT, {"id": seller_gid(seller), "reason": "The membership number is not on our roll."}
    )
    assert rejected["sellerApplicationReject"]["errors"] == []
    assert rejected["sellerApplicationReject"]["seller"]["status"] == "rejected"
    assert rejected["sellerApplicationReject"]["seller"]["rejectionReason"] == (
        "The membership number is not on our roll."
    )

    as_maker = gql_as(maker)
    updated = as_maker.execute(UPDATE, {"input": {"membershipNumber": "RC-0043"}})
    assert updated["sellerApplicationUpdate"]["errors"] == []
    assert updated["sellerApplicationUpdate"]["seller"]["membershipNumber"] == "RC-0043"
    resubmitted = as_maker.execute(SUBMIT)["sellerApplicationSubmit"]

    assert resubmitted["errors"] == []
    assert resubmitted["seller"]["status"] == "submitted"
    assert [e["kind"] for e in resubmitted["seller"]["events"]] == [
        "rejected",
        "updated",
        "submitted",
    ]
    assert resubmitted["seller"]["events"][1]["note"] == "Changed: membershipNumber"


def test_suspension_hides_the_shop_and_its_products_until_reinstated(gql, gql_as):
    """Given an approved shop with a listed product, suspension removes both from the public
    API and reinstatement brings them back."""
    seller = application(
        user=UserFactory(),
        status=SellerStatus.APPROVED,
        name="Kapaz Ceramics",
        slug="kapaz-ceramics",
    )
    listed_product(seller=seller, name="Blue bowl")
    staff = gql_as(StaffFactory(permissions=["sellers.manage_sellers"]))

    suspended = staff.execute(
        SUSPEND, {"id": seller_gid(seller), "reason": "Counterfeit listings reported."}
    )
    assert suspended["sellerSuspend"]["errors"] == []
    assert suspended["sellerSuspend"]["seller"]["status"] == "suspended"
    assert gql.execute(PUBLIC_SELLER, {"slug": "kapaz-ceramics"})["seller"] is None
    assert gql.execute(PUBLIC_PRODUCTS)["products"]["edges"] == []

    reinstated = staff.execute(REINSTATE, {"id": seller_gid(seller)})

    assert reinstated["sellerReinstate"]["errors"] == []
    assert reinstated["sellerReinstate"]["seller"]["status"] == "approved"
    assert gql.execute(PUBLIC_SELLER, {"slug": "kapaz-ceramics"})["seller"] == {
        "name": "Kapaz Ceramics",
        "slug": "kapaz-ceramics",
    }
    assert gql.execute(PUBLIC_PRODUCTS)["products"]["edges"] == [{"node": {"name": "Blue bowl"}}]


@pytest.mark.parametrize(
    ("status", "mutation", "variables", "subject"),
    [
        (SellerStatus.SUBMITTED, APPROVE, {}, "Your Creative Market shop is approved"),
        (
            SellerStatus.SUBMITTED,
            REJECT,
            {"reason": "Add a portfolio."},
            "Your Creative Market application needs changes",
        ),
        (
            SellerStatus.APPROVED,
            SUSPEND,
            {"reason": "Unpaid fees."},
            "Your Creative Market shop is suspended",
        ),
        (SellerStatus.SUSPENDED, REINSTATE, {}, "Your Creative Market shop is open again"),
    ],
)
def test_the_applicant_is_emailed_each_decision_after_commit(
    gql_as, eager_tasks, django_capture_on_commit_callbacks, status, mutation, variables, subject
):
    seller = application(user=UserFactory(email="maker@example.com"), status=status)
    staff = gql_as(StaffFactory(permissions=["sellers.manage_sellers"]))

    with django_capture_on_commit_callbacks(execute=True):
        result = staff.execute(mutation, {"id": seller_gid(seller), **variables})

    assert next(iter(result.values()))["errors"] == []
    assert [(m.to, m.subject) for m in mail.outbox] == [(["maker@example.com"], subject)]


def test_the_rejection_email_carries_the_reason(
    gql_as, eager_tasks, django_capture_on_commit_callbacks
):
    seller = application(user=UserFactory(), status=SellerStatus.SUBMITTED)
    staff = gql_as(StaffFactory(permissions=["sellers.manage_sellers"]))

    with django_capture_on_commit_callbacks(execute=True):
        staff.execute(REJECT, {"id": seller_gid(seller), "reason": "Add a portfolio."})

    assert "Add a portfolio." in mail.outbox[0].body


def test_a_refused_decision_sends_no_email(gql_as, eager_tasks, django_capture_on_commit_callbacks):
    seller = application(user=UserFactory(), status=SellerStatus.REJECTED)
    staff = gql_as(StaffFactory(permissions=["sellers.manage_sellers"]))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = staff.execute(APPROVE, {"id": seller_gid(seller)})

    assert result["sellerApplicationApprove"]["errors"][0]["code"] == "INVALID_TRANSITION"
    assert callbacks == []
    assert mail.outbox == []
    assert Seller.objects.get(pk=seller.pk).status == SellerStatus.REJECTED

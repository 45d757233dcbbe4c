"""The Django admin reviews through the same services as the API."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from market.sellers.models import Seller, SellerEvent, SellerStatus
from tests.factories import StaffFactory, UserFactory
from tests.sellers.helpers import PDF_BYTES, application, with_document

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/sellers/seller/"


def admin_client(*permissions) -> Client:
    staff = StaffFactory(permissions=["sellers.view_seller", "sellers.change_seller", *permissions])
    client = Client()
    client.force_login(staff)
    return client


def test_approving_selected_applications_reports_the_refused_ones(
    eager_tasks, django_capture_on_commit_callbacks
):
    submitted = application(
        user=UserFactory(email="a@example.com"), name="Submitted", status=SellerStatus.SUBMITTED
    )
    draft = application(user=UserFactory(), name="Draft", status=SellerStatus.DRAFT)
    client = admin_client("sellers.manage_sellers")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST,
            {"action": "approve_applications", "_selected_action": [submitted.pk, draft.pk]},
            follow=True,
        )

    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "Approved: 1.",
        "Refused — Draft: A seller that is draft application cannot be approved.",
    ]
    assert Seller.objects.get(pk=submitted.pk).status == SellerStatus.APPROVED
    assert Seller.objects.get(pk=draft.pk).status == SellerStatus.DRAFT
    assert [m.to for m in mail.outbox] == [["a@example.com"]]


def test_suspending_from_the_admin_asks_for_a_reason_first():
    seller = application(user=UserFactory(), status=SellerStatus.APPROVED)
    client = admin_client("sellers.manage_sellers")

    form = client.post(CHANGELIST, {"action": "suspend_sellers", "_selected_action": [seller.pk]})
    assert form.status_code == 200
    assert b'name="reason"' in form.content
    assert Seller.objects.get(pk=seller.pk).status == SellerStatus.APPROVED

    client.post(
        CHANGELIST,
        {
            "action": "suspend_sellers",
            "_selected_action": [seller.pk],
            "apply": "1",
            "reason": "Counterfeit listings.",
        },
    )

    assert Seller.objects.get(pk=seller.pk).status == SellerStatus.SUSPENDED
    assert list(SellerEvent.objects.values_list("kind", "note")) == [
        ("suspended", "Counterfeit listings.")
    ]


def test_review_actions_need_manage_sellers():
    seller = application(user=UserFactory(), status=SellerStatus.SUBMITTED)
    client = admin_client()

    response = client.post(
        CHANGELIST, {"action": "approve_applications", "_selected_action": [seller.pk]}
    )

    assert response.status_code == 200  # the changelist, with "no action selected"
    assert Seller.objects.get(pk=seller.pk).status == SellerStatus.SUBMITTED


def test_the_change_page_shows_the_history_and_documents():
    seller = application(user=UserFactory(), status=SellerStatus.REJECTED)
    with_document(seller)
    SellerEvent.objects.create(
        seller=seller,
        kind="rejected",
        from_status="submitted",
        to_status="rejected",
        note="Add a portfolio.",
    )

    response = admin_client().get(f"{CHANGELIST}{seller.pk}/change/")

    assert response.status_code == 200
    assert b"Add a portfolio." in response.content
    assert b"certificate.pdf" in response.content


def test_staff_with_manage_sellers_download_a_document():
    document = with_document(application(user=UserFactory()))
    url = reverse("admin:sellers_sellerdocument_download", args=[document.pk])

    allowed = admin_client("sellers.manage_sellers").get(url)
    refused = admin_client().get(url)

    assert allowed.status_code == 200
    assert b"".join(allowed.streaming_content) == PDF_BYTES
    assert refused.status_code == 404

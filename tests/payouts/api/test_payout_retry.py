"""A failed payout is not lost: staff retry it once the cause is fixed (the part keeps its one
payout, so the daily run would never make another)."""

import pytest
from django.urls import reverse
from graphql_relay import to_global_id

from market.payouts.models import Payout
from market.payouts.paying import payout_execute, payouts_create_due
from tests.factories import StaffFactory, paid_part
from tests.payouts.worker.helpers import delivered, verified_bank_account

pytestmark = pytest.mark.django_db

RETRY = """mutation($id: ID!) { payoutRetry(id: $id) {
    payout { id status amount { amount currency } }
    errors { field code message } } }"""


@pytest.fixture
def failed_payout():
    """A bank payout that failed because the seller's account was unverified when it was paid;
    the seller's account has been verified since."""
    part = delivered(paid_part(), days_ago=15)
    account = verified_bank_account(part.seller)
    (payout,) = payouts_create_due().created
    type(account).objects.filter(pk=account.pk).update(bank_verified_at=None)
    payout_execute(payout_id=payout.pk)
    type(account).objects.filter(pk=account.pk).update(bank_verified_at=account.bank_verified_at)
    payout.refresh_from_db()
    assert payout.status == "failed"
    return payout


@pytest.fixture
def sent(monkeypatch):
    from celery import current_app

    calls = []
    monkeypatch.setattr(
        current_app.tasks["payouts.execute"],
        "apply_async",
        lambda args=None, kwargs=None, **options: calls.append(kwargs),
    )
    return calls


def test_staff_retry_a_failed_payout_and_the_worker_then_pays_it(
    gql_as, payout_manager, failed_payout, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        data = gql_as(payout_manager).execute(
            RETRY, {"id": to_global_id("Payout", failed_payout.pk)}
        )["payoutRetry"]

    assert data["errors"] == []
    assert data["payout"]["status"] == "PENDING"
    assert sent == [{"payout_id": failed_payout.pk}]
    payout_execute(payout_id=failed_payout.pk)
    payout = Payout.objects.get()
    assert (payout.status, payout.attempts, payout.last_error) == ("processing", 1, "")
    assert payout.events.filter(note="approved for the bank batch").count() == 1


def test_a_payout_that_has_not_failed_cannot_be_retried(
    gql_as, payout_manager, failed_payout, sent, django_capture_on_commit_callbacks
):
    client = gql_as(payout_manager)
    variables = {"id": to_global_id("Payout", failed_payout.pk)}
    with django_capture_on_commit_callbacks(execute=True):
        client.execute(RETRY, variables)

    with django_capture_on_commit_callbacks(execute=True):
        again = client.execute(RETRY, variables)["payoutRetry"]

    assert again["payout"] is None
    assert [(e["field"], e["code"]) for e in again["errors"]] == [("id", "NOT_RETRYABLE")]
    assert "pending" in again["errors"][0]["message"]
    assert sent == [{"payout_id": failed_payout.pk}]  # queued once
    assert failed_payout.events.count() == 3  # created, failed, retried


def test_retrying_an_unknown_payout_is_not_found(gql_as, payout_manager):
    data = gql_as(payout_manager).execute(RETRY, {"id": to_global_id("Payout", 999999)})

    assert [e["code"] for e in data["payoutRetry"]["errors"]] == ["NOT_FOUND"]


def test_staff_without_the_permission_cannot_retry(gql_as, failed_payout, sent):
    errors = gql_as(StaffFactory(permissions=["orders.manage_orders"])).errors(
        RETRY, {"id": to_global_id("Payout", failed_payout.pk)}
    )

    assert errors[0]["extensions"]["code"] == "permission_denied"
    assert Payout.objects.get().status == "failed"
    assert sent == []


def test_the_admin_action_retries_the_selected_failed_payouts(
    client, payout_manager, failed_payout, sent
):
    client.force_login(payout_manager)

    response = client.post(
        reverse("admin:payouts_payout_changelist"),
        {"action": "retry_failed", "_selected_action": [failed_payout.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert Payout.objects.get().status == "pending"
    assert "Queued again: 1." in response.text

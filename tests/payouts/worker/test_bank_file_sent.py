"""Staff who manage payouts take the day's bank file from the admin, upload it to the bank and
mark it sent; nobody else can read the file (it holds sellers' full IBANs)."""

import datetime as dt

import pytest
from django.urls import reverse

from market.payouts.models import BankPayoutBatch
from market.payouts.paying import bank_batch_create, bank_batch_mark_sent
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 26)


@pytest.fixture
def batch(approved_bank_payouts):
    return bank_batch_create(date=DAY)


@pytest.fixture
def manager():
    return StaffFactory(permissions=["payouts.manage_payouts"])


def test_a_payout_manager_downloads_the_days_file_from_the_admin(client, batch, manager):
    client.force_login(manager)

    response = client.get(reverse("admin:payouts_bankpayoutbatch_file", args=[batch.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert f'filename="{batch.message_id}.xml"' in response["Content-Disposition"]
    with batch.file.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()


def test_the_batch_list_links_the_file_for_a_payout_manager(client, batch, manager):
    client.force_login(manager)

    response = client.get(reverse("admin:payouts_bankpayoutbatch_changelist"))

    assert response.status_code == 200
    assert reverse("admin:payouts_bankpayoutbatch_file", args=[batch.pk]) in response.text


def test_staff_without_the_permission_cannot_download_the_file(client, batch):
    client.force_login(StaffFactory(permissions=["orders.manage_orders"]))

    response = client.get(reverse("admin:payouts_bankpayoutbatch_file", args=[batch.pk]))

    assert response.status_code == 403
    assert b"<Document" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_marking_the_file_sent_records_who_and_when_once(batch, manager):
    first = bank_batch_mark_sent(batch_id=batch.pk, actor=manager)
    sent_at = first.sent_at

    again = bank_batch_mark_sent(
        batch_id=batch.pk, actor=StaffFactory(permissions=["payouts.manage_payouts"])
    )

    stored = BankPayoutBatch.objects.get()
    assert (stored.status, stored.sent_by, stored.sent_at) == ("sent", manager, sent_at)
    assert again.sent_by == manager


def test_the_admin_action_marks_the_selected_files_sent(client, batch, manager):
    client.force_login(manager)

    response = client.post(
        reverse("admin:payouts_bankpayoutbatch_changelist"),
        {"action": "mark_sent", "_selected_action": [batch.pk]},
        follow=True,
    )

    assert response.status_code == 200
    stored = BankPayoutBatch.objects.get()
    assert (stored.status, stored.sent_by) == ("sent", manager)


def test_staff_without_the_permission_cannot_mark_the_file_sent(client, batch):
    """The admin is an entry point: it checks the permission, as the API's gatekeepers do."""
    client.force_login(StaffFactory(permissions=["orders.manage_orders"]))

    client.post(
        reverse("admin:payouts_bankpayoutbatch_changelist"),
        {"action": "mark_sent", "_selected_action": [batch.pk]},
    )

    stored = BankPayoutBatch.objects.get()
    assert (stored.status, stored.sent_by) == ("created", None)

"""The admin: staff looking at, changing or deleting people's records leave rows in the audit
log; privacy staff export and erase from the users list; the log itself is read-only to all."""

import json

import pytest
from django.urls import reverse

from market.accounts.models import User
from market.core.models import PersonalDataAccess
from market.core.services import personal_data_access_record
from tests.factories import StaffFactory, UserFactory
from tests.privacy.helpers import buyer, delivered_order

pytestmark = pytest.mark.django_db

PRIVACY = "core.manage_personal_data"


def _rows():
    return list(
        PersonalDataAccess.objects.order_by("pk").values_list(
            "actor_id", "action", "subject_id", "record"
        )
    )


def test_opening_an_order_in_the_admin_is_logged(client):
    leyla = buyer()
    order, _, _ = delivered_order(buyer=leyla)
    manager = StaffFactory(permissions=["orders.view_order"])
    client.force_login(manager)

    page = client.get(reverse("admin:orders_order_change", args=[order.pk]))

    assert page.status_code == 200
    assert _rows() == [(manager.pk, "view", leyla.pk, f"orders.Order {order.pk}")]


def test_changing_and_deleting_a_user_in_the_admin_is_logged(staff_client):
    person = UserFactory(first_name="Old")
    url = reverse("admin:accounts_user_change", args=[person.pk])
    form = {
        "email": person.email,
        "first_name": "New",
        "last_name": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }

    response = staff_client.post(url, form)
    assert response.status_code == 302, response.content
    staff_client.post(reverse("admin:accounts_user_delete", args=[person.pk]), {"post": "yes"})

    actions = [(action, record) for _, action, _, record in _rows()]
    assert actions == [
        ("change", f"accounts.User {person.pk}"),
        ("delete", f"accounts.User {person.pk}"),
    ]
    assert "first_name" in PersonalDataAccess.objects.get(action="change").reason


def test_privacy_staff_export_someone_from_the_users_list_with_a_reason(client):
    leyla = buyer()
    officer = StaffFactory(permissions=[PRIVACY, "accounts.view_user"])
    client.force_login(officer)
    url = reverse("admin:accounts_user_changelist")
    chosen = {"action": "export_personal_data", "_selected_action": [leyla.pk]}

    asked = client.post(url, chosen)
    assert asked.status_code == 200 and b"reason" in asked.content
    assert not PersonalDataAccess.objects.exists()

    response = client.post(url, {**chosen, "apply": "1", "reason": "Ticket 9"})

    assert response["Content-Disposition"].startswith("attachment")
    assert json.loads(response.content)["account"]["email"] == leyla.email
    assert _rows() == [(officer.pk, "export", leyla.pk, f"accounts.User {leyla.pk}")]


def test_privacy_staff_erase_someone_from_the_users_list(client):
    leyla = buyer()
    officer = StaffFactory(permissions=[PRIVACY, "accounts.view_user"])
    client.force_login(officer)

    client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "erase_personal_data",
            "_selected_action": [leyla.pk],
            "apply": "1",
            "reason": "Ticket 10",
        },
    )

    assert not User.objects.get(pk=leyla.pk).is_active
    assert PersonalDataAccess.objects.get(action="erase").reason == "Ticket 10"


def test_staff_without_the_privacy_permission_do_not_get_the_actions(client):
    leyla = buyer()
    client.force_login(StaffFactory(permissions=["accounts.view_user", "accounts.change_user"]))

    client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "erase_personal_data",
            "_selected_action": [leyla.pk],
            "apply": "1",
            "reason": "x",
        },
    )

    assert User.objects.get(pk=leyla.pk).is_active
    assert not PersonalDataAccess.objects.filter(action="erase").exists()


def test_the_audit_log_cannot_be_edited_or_deleted_in_the_admin_even_by_a_superuser(
    staff_client,
):
    entry = personal_data_access_record(
        actor=StaffFactory(), action="view", subject=UserFactory(), reason="looked"
    )
    change = reverse("admin:core_personaldataaccess_change", args=[entry.pk])

    page = staff_client.get(change)
    staff_client.post(change, {"reason": "nothing happened", "action": "view"})
    deleting = staff_client.post(
        reverse("admin:core_personaldataaccess_delete", args=[entry.pk]), {"post": "yes"}
    )
    adding = staff_client.get(reverse("admin:core_personaldataaccess_add"))

    assert page.status_code == 200
    assert b'name="reason"' not in page.content
    assert deleting.status_code == 403 and adding.status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "looked"

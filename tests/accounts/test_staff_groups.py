"""Staff groups: created by every migrate (and by a command), holding their permissions."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from market.accounts.services import staff_groups_ensure

pytestmark = pytest.mark.django_db


def permissions_of(name: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=name).permissions.select_related("content_type")
    }


def payouts_permission_absent():
    Permission.objects.filter(content_type__app_label="payouts", codename="manage_payouts").delete()


def payouts_permission_arrives():
    content_type, _ = ContentType.objects.get_or_create(app_label="payouts", model="payout")
    Permission.objects.get_or_create(
        content_type=content_type, codename="manage_payouts", defaults={"name": "Manage payouts"}
    )


def test_after_migrations_the_staff_groups_hold_their_permissions():
    assert permissions_of("Seller managers") == {"sellers.manage_sellers"}
    assert permissions_of("Catalogue managers") == {"catalog.manage_catalog"}
    assert permissions_of("Order managers") == {"orders.manage_orders"}
    assert permissions_of("Payout managers") == {"payouts.manage_payouts"}


def test_a_permission_that_does_not_exist_yet_is_skipped():
    payouts_permission_absent()

    staff_groups_ensure()

    assert permissions_of("Payout managers") == set()


def test_a_permission_that_arrives_later_is_added_on_the_next_run(capsys):
    payouts_permission_absent()
    staff_groups_ensure()
    payouts_permission_arrives()

    call_command("ensure_staff_groups")

    assert permissions_of("Payout managers") == {"payouts.manage_payouts"}
    assert "Payout managers: payouts.manage_payouts" in capsys.readouterr().out


def test_running_again_changes_nothing_and_keeps_what_admins_added():
    extra = Permission.objects.get(content_type__app_label="catalog", codename="manage_catalog")
    Group.objects.get(name="Seller managers").permissions.add(extra)

    staff_groups_ensure()
    staff_groups_ensure()

    assert Group.objects.filter(name__endswith=" managers").count() == 4
    assert permissions_of("Seller managers") == {"sellers.manage_sellers", "catalog.manage_catalog"}


def test_a_deleted_group_comes_back_on_the_next_run():
    Group.objects.filter(name="Catalogue managers").delete()

    call_command("ensure_staff_groups")

    assert permissions_of("Catalogue managers") == {"catalog.manage_catalog"}

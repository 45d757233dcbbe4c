"""One vocabulary of staff permissions: each is a real Django permission, held by a staff group,
and checked the same way everywhere."""

import pytest
from django.contrib.auth.models import Group, Permission

from market.accounts.services import staff_groups_ensure
from market.core.permissions import StaffPermission
from market.graphql.core.auth import staff_may
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("permission", list(StaffPermission))
def test_every_staff_permission_is_a_django_permission_a_staff_group_holds(permission):
    app_label, codename = permission.value.split(".")
    staff_groups_ensure()

    django_permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)

    assert Group.objects.filter(permissions=django_permission).exists()


@pytest.mark.parametrize("permission", list(StaffPermission))
def test_only_signed_in_staff_holding_the_permission_may(permission):
    app_label, codename = permission.value.split(".")
    holder = UserFactory(is_staff=True)
    holder.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    holder = type(holder).objects.get(pk=holder.pk)  # Django caches permissions per instance
    not_staff = UserFactory(is_staff=False)
    not_staff.user_permissions.add(*holder.user_permissions.all())
    not_staff = type(not_staff).objects.get(pk=not_staff.pk)

    assert staff_may(holder, permission)
    assert not staff_may(UserFactory(is_staff=True), permission)
    assert not staff_may(not_staff, permission)
    assert not staff_may(None, permission)

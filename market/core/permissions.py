"""The staff permissions, one vocabulary: each is a Django permission (``app_label.codename``)
declared in its app's model ``Meta.permissions`` and granted through the staff groups
(``manage.py ensure_staff_groups``). Code names a permission by this enum, never by a string."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class StaffPermission(StrEnum):
    MANAGE_SELLERS = "sellers.manage_sellers"
    MANAGE_CATALOG = "catalog.manage_catalog"
    MANAGE_ORDERS = "orders.manage_orders"
    MANAGE_PAYOUTS = "payouts.manage_payouts"


def staff_may(user: Any, permission: StaffPermission) -> bool:
    """Whether ``user`` is signed-in staff holding ``permission`` (superusers hold them all)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_staff
        and user.has_perm(permission.value)
    )

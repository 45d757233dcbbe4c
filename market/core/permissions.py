"""The staff permissions, one vocabulary: each is a Django permission (``app_label.codename``)
declared in its app's model ``Meta.permissions`` and granted through the staff groups
(``manage.py ensure_staff_groups``). Code names a permission by this enum, never by a string.

Who holds one is checked at the edge, once: the API's gatekeepers
(``market.graphql.core.auth``) and the admin's ``has_*_permission`` methods. The services trust
their caller; where a rule depends on the caller's authority (an order manager may cancel a
paid order) the caller says so in an argument (``by_order_manager=True``).
"""

from __future__ import annotations

from enum import StrEnum


class StaffPermission(StrEnum):
    MANAGE_SELLERS = "sellers.manage_sellers"
    MANAGE_CATALOG = "catalog.manage_catalog"
    MANAGE_ORDERS = "orders.manage_orders"
    MANAGE_PAYOUTS = "payouts.manage_payouts"
    MANAGE_PERSONAL_DATA = "core.manage_personal_data"

"""The cast of every authorization test: who asks, and a database to compare before and after."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps

from market.sellers.models import SellerStatus
from tests.factories import SellerFactory, StaffFactory, UserFactory

ROLES = ("anonymous", "buyer", "other_seller", "owner", "staff", "staff_with_permission")

# Apps whose rows a refused mutation must leave exactly as they were.
DOMAIN_APPS = (
    "accounts",
    "sellers",
    "catalog",
    "payouts",
    "payments",
    "core",
    "auth",
    "shipping",
    "orders",
    "checkout",
)
# Columns that legitimately move without a business change.
VOLATILE_FIELDS = {"last_login", "updated_at"}


@dataclass
class World:
    permission: str | None
    users: dict = field(default_factory=dict)
    owner_seller: object = None
    other_seller_obj: object = None

    @classmethod
    def build(
        cls, permission: str | None, *, country: str = "AZ", owner: dict | None = None
    ) -> World:
        """``owner``: fields of the owner's shop (e.g. a draft application); the other seller
        is always an approved shop in the same ``country`` (AZ: bank route, DE: Stripe)."""
        world = cls(permission=permission)
        owner_user = UserFactory(email="owner@example.com")
        other = UserFactory(email="other@example.com")
        owner_fields = dict(
            name="Owner Studio", slug="owner-studio", country=country, status=SellerStatus.APPROVED
        )
        owner_fields.update(owner or {})
        world.owner_seller = SellerFactory(user=owner_user, **owner_fields)
        world.other_seller_obj = SellerFactory(
            user=other,
            name="Other Studio",
            slug="other-studio",
            country=country,
            status=SellerStatus.APPROVED,
        )
        world.users = {
            "anonymous": None,
            "buyer": UserFactory(email="buyer@example.com"),
            "other_seller": other,
            "owner": owner_user,
            "staff": StaffFactory(email="staff@example.com"),
            "staff_with_permission": StaffFactory(
                email="manager@example.com", permissions=[permission] if permission else []
            ),
        }
        return world


def database_snapshot() -> dict[str, list[tuple]]:
    """Every row of the domain's tables, minus volatile columns, in a stable order."""
    snapshot = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in DOMAIN_APPS or model._meta.proxy:
            continue
        names = sorted(
            f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE_FIELDS
        )
        snapshot[model._meta.label] = sorted(
            (tuple(str(v) for v in row) for row in model.objects.values_list(*names)),
        )
    return snapshot

"""Checkouts and the delivery and duty tables left the orders app for apps of their own
(``checkout``, ``shipping``). A database migrated before the move keeps every row, and the
content types follow the models, so what staff were granted on them and the admin's history
of them stay."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from market.accounts.models import User
from market.checkout.models import Checkout
from market.orders.models import Order
from market.shipping.models import ShippingRate, ShippingZone
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The orders app's last migration before the move, and the new apps not yet there.
BEFORE_THE_MOVE = [
    ("orders", "0002_fulfilment_tracking_customs_documents"),
    ("checkout", None),
    ("shipping", None),
]


def _migrate(targets):
    """The project state once the database is migrated to ``targets``."""
    executor = MigrationExecutor(connection)
    state = executor.migrate(targets)
    ContentType.objects.clear_cache()
    return state


def _migrate_to_the_end():
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def before_the_move():
    """Historical models of the database as it was before the move; migrated to the end
    again afterwards, whatever the test found."""
    try:
        yield _migrate(BEFORE_THE_MOVE).apps
    finally:
        _migrate_to_the_end()


def test_rows_made_before_the_move_are_found_through_the_new_apps(before_the_move):
    old = before_the_move
    zone = old.get_model("orders", "ShippingZone").objects.create(
        name="Europe", countries=["DE", "FR"]
    )
    method = old.get_model("orders", "ShippingMethod").objects.create(
        zone=zone, name="Post", transit_days_min=4, transit_days_max=6
    )
    old.get_model("orders", "ShippingRate").objects.create(
        method=method, max_weight_grams=1000, price_amount=Decimal("20.00")
    )
    checkout = old.get_model("orders", "Checkout").objects.create(
        currency="EUR", email="buyer@example.com", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    order = old.get_model("orders", "Order").objects.create(
        number="CM-00000001",
        email="buyer@example.com",
        checkout_token=checkout.token,
        idempotency_key="key-1",
        request_fingerprint="f" * 64,
        currency="EUR",
        exchange_rate=Decimal("2.0000000000"),
        exchange_rate_source="test",
        shipping_country="DE",
        subtotal_amount=Decimal("50.00"),
        shipping_amount=Decimal("10.00"),
        vat_amount=Decimal("0.00"),
        duties_amount=Decimal("0.00"),
        duties_estimate_amount=Decimal("0.00"),
        total_amount=Decimal("60.00"),
        total_base_amount=Decimal("120.00"),
    )

    _migrate_to_the_end()

    assert ShippingZone._meta.db_table == "shipping_shippingzone"
    assert Checkout._meta.db_table == "checkout_checkout"
    band = ShippingRate.objects.select_related("method__zone").get()
    assert (band.method.zone.name, band.method.name, band.price_amount) == (
        "Europe",
        "Post",
        Decimal("20.00"),
    )
    assert Checkout.objects.get(token=checkout.token).email == "buyer@example.com"
    assert Order.objects.get(pk=order.pk).checkout_token == checkout.token
    assert ShippingZone.objects.create(name="Asia", countries=["JP"]).pk > zone.pk


def test_permissions_and_admin_history_follow_the_moved_models(before_the_move):
    old = before_the_move
    staff = UserFactory(is_staff=True)
    group = Group.objects.create(name="Zone editors")
    staff.groups.add(group)
    zone = old.get_model("orders", "ShippingZone").objects.create(name="Europe", countries=["DE"])
    zone_type = old.get_model("contenttypes", "ContentType").objects.get(
        app_label="orders", model="shippingzone"
    )
    old.get_model("auth", "Group").objects.get(pk=group.pk).permissions.add(
        old.get_model("auth", "Permission").objects.get(
            content_type=zone_type, codename="change_shippingzone"
        )
    )
    old.get_model("admin", "LogEntry").objects.create(
        user_id=staff.pk,
        content_type_id=zone_type.pk,
        object_id=str(zone.pk),
        object_repr="Europe",
        action_flag=CHANGE,
        change_message="Countries changed.",
    )

    _migrate_to_the_end()

    staff = User.objects.get(pk=staff.pk)
    assert staff.has_perm("shipping.change_shippingzone")
    assert not staff.has_perm("orders.change_shippingzone")
    entry = LogEntry.objects.get(object_repr="Europe")
    assert entry.content_type.app_label == "shipping"
    assert entry.get_edited_object() == ShippingZone.objects.get(pk=zone.pk)

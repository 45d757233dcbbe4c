"""Staff read the ledger in the admin but cannot change it; they edit commission rates."""

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from market.ledger.models import CategoryCommission, LedgerEntry
from market.ledger.services import ledger_record_order_paid
from tests.factories import CategoryFactory, UserFactory
from tests.ledger.helpers import LineSpec, PartSpec, paid_order

pytestmark = pytest.mark.django_db


def test_a_ledger_entry_cannot_be_changed_or_deleted_in_the_admin():
    client = Client(raise_request_exception=False)
    order = paid_order(parts=[PartSpec(lines=[LineSpec(CategoryFactory(), 1, D("10.00"))])])
    entry = ledger_record_order_paid(order=order)[0]
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    changed = client.post(
        reverse("admin:ledger_ledgerentry_change", args=[entry.pk]), {"amount": "999.00"}
    )
    deleted = client.post(
        reverse("admin:ledger_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}
    )

    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert LedgerEntry.objects.get(pk=entry.pk).amount == entry.amount
    assert LedgerEntry.objects.count() == 2


def test_staff_set_a_category_commission_in_the_admin(client):
    category = CategoryFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:ledger_categorycommission_add"), {"category": category.pk, "rate": "12.50"}
    )

    assert response.status_code == 302
    assert CategoryCommission.objects.get(category=category).rate == D("12.50")

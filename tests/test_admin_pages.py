"""Staff work in the Django admin: every registered model's list and form pages open."""

import pytest
from django.contrib import admin
from django.urls import reverse

from market.payments.models import Refund
from tests.factories import UserFactory, card_paid_part, listed_product
from tests.payments.refunds.helpers import order_manager, refund_made

pytestmark = pytest.mark.django_db

MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_list_and_change_pages_open(client, model):
    listed_product()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    opts = model._meta

    listing = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert listing.status_code == 200
    first = model._default_manager.first()
    if first is not None:
        change = client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
        )
        assert change.status_code == 200


def test_refunds_are_listed_searched_and_shown_read_only(client):
    part = card_paid_part()
    refund = refund_made(
        part=part,
        amount=None,
        reason="Arrived broken",
        idempotency_key="admin-1",
        actor=order_manager(),
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = reverse("admin:payments_refund_changelist")

    found = [
        client.get(changelist, {"q": term}).context["cl"].result_count
        for term in (part.order.number, refund.provider_id, "no-such-order")
    ]
    needing_staff = [client.get(changelist, {"needs_attention": "yes"}).context["cl"].result_count]
    Refund.objects.filter(pk=refund.pk).update(attention="Pay the seller back by hand.")
    needing_staff.append(
        client.get(changelist, {"needs_attention": "yes"}).context["cl"].result_count
    )
    change = client.get(reverse("admin:payments_refund_change", args=[refund.pk]))

    assert (found, needing_staff) == ([1, 1, 0], [0, 1])
    assert change.status_code == 200
    assert not change.context["has_change_permission"]
    assert "Arrived broken" in change.content.decode()
    assert client.get(reverse("admin:payments_refund_add")).status_code == 403
    assert client.get(reverse("admin:payments_refund_delete", args=[refund.pk])).status_code == 403

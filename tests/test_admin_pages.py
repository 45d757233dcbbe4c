"""Staff work in the Django admin: every registered model's list and form pages open."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory, listed_product

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
        change = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change",
                                    args=[first.pk]))
        assert change.status_code == 200

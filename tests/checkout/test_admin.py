"""Staff see checkouts read-only: they change only through the checkout services."""

import pytest
from django.urls import reverse

from tests.factories import carpet, checkout_with, shipping_method

pytestmark = pytest.mark.django_db


def test_a_checkout_is_shown_read_only(staff_client):
    method = shipping_method()
    checkout = checkout_with((carpet(), 2), deliveries=[method])

    page = staff_client.get(reverse("admin:checkout_checkout_change", args=[checkout.pk]))

    assert page.status_code == 200
    assert b'name="_save"' not in page.content

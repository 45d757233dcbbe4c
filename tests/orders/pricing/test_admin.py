"""Staff open the delivery tables (editable, with inlines) and checkouts (read-only)."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.orders.pricing.helpers import carpet, checkout_with, duty_country, shipping_method

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_zone_method_and_duty_pages_show_their_inline_rows(staff_client):
    method = shipping_method(bands=[(1000, "35.00"), (5000, "80.00")])
    duty = duty_country("DE", chapters={"57": "8"})

    zone_page = staff_client.get(reverse("admin:orders_shippingzone_change", args=[method.zone.pk]))
    method_page = staff_client.get(reverse("admin:orders_shippingmethod_change", args=[method.pk]))
    duty_page = staff_client.get(reverse("admin:orders_dutycountry_change", args=[duty.pk]))

    assert zone_page.status_code == method_page.status_code == duty_page.status_code == 200
    assert b"Standard" in zone_page.content
    assert b"5000" in method_page.content
    assert b'value="57"' in duty_page.content


def test_a_checkout_is_shown_read_only(staff_client):
    method = shipping_method()
    checkout = checkout_with((carpet(), 2), deliveries=[method])

    page = staff_client.get(reverse("admin:orders_checkout_change", args=[checkout.pk]))

    assert page.status_code == 200
    assert b'name="_save"' not in page.content

"""Staff open the delivery tables (editable, with inlines)."""

import pytest
from django.urls import reverse

from tests.factories import duty_country, shipping_method

pytestmark = pytest.mark.django_db


def test_zone_method_and_duty_pages_show_their_inline_rows(staff_client):
    method = shipping_method(bands=[(1000, "35.00"), (5000, "80.00")])
    duty = duty_country("DE", chapters={"57": "8"})

    zone_page = staff_client.get(
        reverse("admin:shipping_shippingzone_change", args=[method.zone.pk])
    )
    method_page = staff_client.get(
        reverse("admin:shipping_shippingmethod_change", args=[method.pk])
    )
    duty_page = staff_client.get(reverse("admin:shipping_dutycountry_change", args=[duty.pk]))

    assert zone_page.status_code == method_page.status_code == duty_page.status_code == 200
    assert b"Standard" in zone_page.content
    assert b"5000" in method_page.content
    assert b'value="57"' in duty_page.content

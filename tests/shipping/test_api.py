"""The delivery tables through GraphQL: public, so buyers can see where we ship."""

import pytest
from graphql_relay import to_global_id

from tests.factories import shipping_method

pytestmark = pytest.mark.django_db


def test_shipping_zones_list_methods_and_bands_in_the_base_currency(gql):
    method = shipping_method(countries=["DE"], bands=[(1000, "35.00"), (5000, "80.00")])
    shipping_method(zone="Closed", countries=["XK"]).zone.__class__.objects.filter(
        name="Closed"
    ).update(is_active=False)

    zones = gql.execute("""{ shippingZones { name countries { code }
        methods { id name carrier transitDaysMin transitDaysMax
                  rates { maxWeightGrams price { amount currency } } } } }""")["shippingZones"]

    assert zones == [
        {
            "name": "Europe",
            "countries": [{"code": "DE"}],
            "methods": [
                {
                    "id": to_global_id("ShippingMethod", method.pk),
                    "name": "Standard",
                    "carrier": "AzerPost",
                    "transitDaysMin": 7,
                    "transitDaysMax": 14,
                    "rates": [
                        {"maxWeightGrams": 1000, "price": {"amount": "35.00", "currency": "AZN"}},
                        {"maxWeightGrams": 5000, "price": {"amount": "80.00", "currency": "AZN"}},
                    ],
                }
            ],
        }
    ]

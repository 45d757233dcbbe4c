"""Delivery per seller: zones by destination, methods by weight band, and choosing one."""

from decimal import Decimal

import pytest

from market.checkout.models import CheckoutDelivery
from market.checkout.pricing import checkout_delivery_method_set, delivery_options
from market.core.errors import DomainError
from tests.factories import SellerFactory, carpet, checkout_with, rate, shipping_method

pytestmark = pytest.mark.django_db


@pytest.fixture
def europe():
    rate("EUR", "1.9")
    return shipping_method(transit=(7, 14))


def _refused(code, **kwargs):
    before = list(CheckoutDelivery.objects.values_list("checkout", "seller", "shipping_method"))
    with pytest.raises(DomainError) as refused:
        checkout_delivery_method_set(**kwargs)
    assert refused.value.code == code
    assert (
        list(CheckoutDelivery.objects.values_list("checkout", "seller", "shipping_method"))
        == before
    )
    return refused.value


def test_each_sellers_part_is_offered_the_methods_that_carry_its_weight(europe):
    express = shipping_method(name="Express", bands=[(2000, "70.00")], transit=(2, 4), sort_order=1)
    light, heavy = carpet(weight=1200, processing_days=3), carpet(weight=3000)
    checkout = checkout_with((light, 1), (heavy, 1))

    options = delivery_options(checkout=checkout)

    light_seller, heavy_seller = light.product.seller_id, heavy.product.seller_id
    assert [o.method for o in options[light_seller]] == [europe, express]
    assert [o.method for o in options[heavy_seller]] == [europe]
    standard = options[light_seller][0]
    assert (standard.price_base, standard.price) == (Decimal("80.00"), Decimal("42.11"))
    assert (standard.processing_days, standard.delivery_days_min, standard.delivery_days_max) == (
        3,
        10,
        17,
    )


def test_processing_time_is_the_slowest_item_of_the_part(europe):
    seller = SellerFactory()
    checkout = checkout_with(
        (carpet(seller=seller, processing_days=2), 1), (carpet(seller=seller, processing_days=9), 1)
    )

    (option,) = delivery_options(checkout=checkout)[seller.pk]

    assert (option.processing_days, option.delivery_days_min) == (9, 16)


def test_inactive_zones_and_methods_are_not_offered(europe):
    shipping_method(name="Retired", is_active=False)
    variant = carpet()
    checkout = checkout_with((variant, 1))
    assert [o.method for o in delivery_options(checkout=checkout)[variant.product.seller_id]] == [
        europe
    ]

    europe.zone.is_active = False
    europe.zone.save()
    assert delivery_options(checkout=checkout) == {variant.product.seller_id: []}


def test_buyer_chooses_a_method_for_one_sellers_part(europe):
    variant = carpet()
    checkout = checkout_with((variant, 1))

    delivery = checkout_delivery_method_set(
        checkout=checkout, seller_id=variant.product.seller_id, method_id=europe.pk
    )

    assert (delivery.checkout, delivery.seller_id, delivery.shipping_method) == (
        checkout,
        variant.product.seller_id,
        europe,
    )


def test_choosing_again_replaces_the_sellers_method(europe):
    express = shipping_method(name="Express", bands=[(2000, "70.00")])
    variant = carpet()
    checkout = checkout_with((variant, 1), deliveries=[europe])

    checkout_delivery_method_set(
        checkout=checkout, seller_id=variant.product.seller_id, method_id=express.pk
    )

    assert list(CheckoutDelivery.objects.values_list("shipping_method", flat=True)) == [express.pk]


def test_choosing_before_a_shipping_address_is_refused(europe):
    variant = carpet()
    checkout = checkout_with((variant, 1), country="")

    error = _refused(
        "shipping_address_required",
        checkout=checkout,
        seller_id=variant.product.seller_id,
        method_id=europe.pk,
    )
    assert error.field == "shippingAddress"


def test_a_destination_no_zone_serves_is_refused(europe):
    variant = carpet()
    checkout = checkout_with((variant, 1), country="BR")

    _refused(
        "destination_not_served",
        checkout=checkout,
        seller_id=variant.product.seller_id,
        method_id=europe.pk,
    )


def test_a_seller_without_items_in_the_checkout_answers_not_found(europe):
    checkout = checkout_with((carpet(), 1))

    error = _refused(
        "not_found", checkout=checkout, seller_id=SellerFactory().pk, method_id=europe.pk
    )
    assert error.field == "sellerId"


def test_a_method_whose_bands_do_not_carry_the_weight_is_refused(europe):
    express = shipping_method(name="Express", bands=[(2000, "70.00")])
    variant = carpet(weight=3000)
    checkout = checkout_with((variant, 1))

    error = _refused(
        "invalid_delivery_method",
        checkout=checkout,
        seller_id=variant.product.seller_id,
        method_id=express.pk,
    )
    assert error.field == "shippingMethodId"


def test_a_method_of_another_zone_is_refused(europe):
    gulf = shipping_method(zone="Gulf", countries=["AE"])
    variant = carpet()
    checkout = checkout_with((variant, 1), deliveries=[europe])

    _refused(
        "invalid_delivery_method",
        checkout=checkout,
        seller_id=variant.product.seller_id,
        method_id=gulf.pk,
    )

"""The platform's fee rate: the category's own, else its nearest ancestor's, else the
platform's (settings.MARKET_COMMISSION_RATE)."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ImproperlyConfigured

from market.ledger.models import CategoryCommission
from market.ledger.selectors import commission_rate_for_category, commission_rates
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_a_category_without_any_override_pays_the_platform_rate(settings):
    settings.MARKET_COMMISSION_RATE = "12.5"
    category = CategoryFactory()
    assert commission_rate_for_category(category_id=category.pk) == D("12.5")


def test_the_platform_rate_defaults_to_ten_percent():
    assert commission_rate_for_category(category_id=CategoryFactory().pk) == D("10")


def test_a_category_with_its_own_rate_pays_it():
    category = CategoryFactory()
    CategoryCommission.objects.create(category=category, rate=D("15"))
    assert commission_rate_for_category(category_id=category.pk) == D("15")


def test_a_subcategory_without_its_own_rate_pays_its_nearest_ancestors():
    root = CategoryFactory()
    middle = CategoryFactory(parent=root)
    leaf = CategoryFactory(parent=middle)
    CategoryCommission.objects.create(category=root, rate=D("20"))
    CategoryCommission.objects.create(category=middle, rate=D("7.5"))
    other = CategoryFactory()

    rates = commission_rates(category_ids=[leaf.pk, root.pk, other.pk])

    assert rates == {leaf.pk: D("7.5"), root.pk: D("20"), other.pk: D("10")}


def test_a_zero_rate_override_is_kept_rather_than_falling_back():
    category = CategoryFactory()
    CategoryCommission.objects.create(category=category, rate=D("0"))
    assert commission_rate_for_category(category_id=category.pk) == D("0")


def test_a_platform_rate_outside_zero_to_hundred_is_a_configuration_error(settings):
    settings.MARKET_COMMISSION_RATE = "120"
    with pytest.raises(ImproperlyConfigured):
        commission_rate_for_category(category_id=CategoryFactory().pk)

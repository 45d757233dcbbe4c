"""Racing requests on one listing, for real, on PostgreSQL."""

from decimal import Decimal

import pytest

from market.catalog.models import Product, ProductStatus, ProductVariant
from market.catalog.services import product_publish, product_variant_delete
from tests.catalog.seller import support
from tests.concurrency import domain_outcomes, race
from tests.factories import ProductFactory, ProductVariantFactory, SellerFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_racing_deletions_cannot_leave_a_published_product_without_variants():
    product = ProductFactory(status=ProductStatus.PUBLISHED)
    first = ProductVariantFactory(product=product, price_amount=Decimal("10.00"))
    second = ProductVariantFactory(product=product, price_amount=Decimal("20.00"))

    outcomes = race(
        lambda: product_variant_delete(variant=first),
        lambda: product_variant_delete(variant=second),
    )

    assert sorted(domain_outcomes(outcomes, ok="ok")) == ["no_variants", "ok"]
    assert ProductVariant.objects.filter(product=product).count() == 1


def test_two_racing_publishes_publish_once():
    owner = SellerFactory(user=UserFactory())
    product = support.publishable_draft(seller=owner)

    outcomes = race(
        lambda: product_publish(product=product, actor=owner.user),
        lambda: product_publish(product=product, actor=owner.user),
    )

    assert sorted(domain_outcomes(outcomes, ok="ok")) == ["invalid_transition", "ok"]
    assert Product.objects.get(pk=product.pk).status == ProductStatus.PUBLISHED

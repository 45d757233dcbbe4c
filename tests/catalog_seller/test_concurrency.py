"""Racing requests on one listing, for real, on PostgreSQL."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from market.catalog.models import Product, ProductStatus, ProductVariant
from market.catalog.services import product_publish, product_variant_delete
from market.core.errors import DomainError
from tests.catalog_seller import support
from tests.factories import ProductFactory, ProductVariantFactory, SellerFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls) -> list[str]:
    start = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            start.wait()
            call()
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def test_two_racing_deletions_cannot_leave_a_published_product_without_variants():
    product = ProductFactory(status=ProductStatus.PUBLISHED)
    first = ProductVariantFactory(product=product, price_amount=Decimal("10.00"))
    second = ProductVariantFactory(product=product, price_amount=Decimal("20.00"))

    outcomes = _race(
        lambda: product_variant_delete(variant=first),
        lambda: product_variant_delete(variant=second),
    )

    assert outcomes == ["no_variants", "ok"]
    assert ProductVariant.objects.filter(product=product).count() == 1


def test_two_racing_publishes_publish_once():
    owner = SellerFactory(user=UserFactory())
    product = support.publishable_draft(seller=owner)

    outcomes = _race(
        lambda: product_publish(product=product, actor=owner.user),
        lambda: product_publish(product=product, actor=owner.user),
    )

    assert outcomes == ["invalid_transition", "ok"]
    assert Product.objects.get(pk=product.pk).status == ProductStatus.PUBLISHED

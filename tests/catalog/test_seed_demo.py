from io import StringIO

import pytest
from django.core.management import call_command

from market.catalog.models import Product, ProductImage, ProductStatus, ProductVariant
from market.core.models import ExchangeRate
from market.sellers.models import Seller

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO(), verbosity=0)
    return out.getvalue()


def test_demo_catalogue_is_listable_in_foreign_currencies(gql):
    seed("--products", "40")

    assert Product.objects.count() == 40
    assert Seller.objects.count() >= 10
    assert ExchangeRate.objects.filter(currency="EUR").exists()
    published = Product.objects.filter(status=ProductStatus.PUBLISHED)
    assert published.filter(price_min_amount__isnull=True).count() == 0
    assert ProductVariant.objects.filter(product__in=published).count() >= published.count()
    assert ProductImage.objects.exclude(thumbnail="").count() == ProductImage.objects.count() > 0
    assert all(len(p.hs_code) in range(6, 11) for p in published)
    data = gql.execute('{ products(first: 5, currency: "EUR") { totalCount edges { node { '
                       "priceRange { start { currency } } thumbnail { thumbnailUrl } } } } }")
    assert data["products"]["totalCount"] == published.count()
    assert {e["node"]["priceRange"]["start"]["currency"]
            for e in data["products"]["edges"]} == {"EUR"}


def test_if_empty_loads_the_demo_only_once():
    seed("--products", "10")

    output = seed("--products", "10", "--if-empty")

    assert Product.objects.count() == 10
    assert "nothing seeded" in output


def test_the_same_seed_gives_the_same_catalogue():
    seed("--products", "15", "--seed", "7")
    first = list(Product.objects.order_by("pk").values_list("name", "hs_code"))

    seed("--products", "15", "--seed", "7", "--reset")

    assert list(Product.objects.order_by("pk").values_list("name", "hs_code")) == first

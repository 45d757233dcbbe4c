"""A listing's SQL queries must not grow with the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AttributeValueFactory, ProductImageFactory, listed_product

pytestmark = pytest.mark.django_db

LISTING = """
query($first: Int) {
  products(first: $first, currency: "EUR") {
    totalCount
    edges { node {
      id name slug
      priceRange { start { amount currency } stop { amount currency } }
      thumbnail { thumbnailUrl }
      images { url }
      category { name }
      seller { name }
      attributes { name values { name } }
      variants { id sku quantityAvailable price { amount } }
    } }
  }
}
"""


def count_queries(gql, first):
    with CaptureQueriesContext(connection) as queries:
        data = gql.execute(LISTING, {"first": first})
    assert len(data["products"]["edges"]) == first
    return len(queries)


def test_products_listing_query_count_does_not_grow_with_page_size(gql, eur_rate):
    material = AttributeValueFactory(name="Wool")
    for i in range(30):
        product = listed_product(name=f"Rug {i}", prices=["10.00", "20.00"])
        product.attribute_values.add(material)
        ProductImageFactory(product=product)

    small = count_queries(gql, 2)
    large = count_queries(gql, 30)

    assert small == large
    assert large <= 6

"""Edits a seller makes reach the full-text search at once (PostgreSQL's stored document)."""

import pytest

from market.catalog.models import ProductStatus
from tests.catalog.seller import support
from tests.factories import AttributeFactory, SellerFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SEARCH = """query($q: String!) { products(first: 5, filter: {search: $q}) {
  edges { node { name } } } }"""


def test_renaming_and_new_attribute_values_are_searchable_after_the_update(gql, gql_as):
    AttributeFactory(slug="material", name="Material")
    seller = SellerFactory(user=UserFactory())
    product = support.publishable_draft(
        seller=seller, status=ProductStatus.PUBLISHED, name="Plain rug"
    )

    response = gql_as(seller.user).post(
        support.PRODUCT_UPDATE,
        {
            "id": support.gid(product),
            "input": {
                "name": "Shirvan carpet",
                "attributes": [{"slug": "material", "values": ["Angora"]}],
            },
        },
    )

    assert support.payload(response, "productUpdate")["errors"] == []
    assert gql.execute(SEARCH, {"q": "shirvan"})["products"]["edges"] == [
        {"node": {"name": "Shirvan carpet"}}
    ]
    assert gql.execute(SEARCH, {"q": "angora"})["products"]["edges"] == [
        {"node": {"name": "Shirvan carpet"}}
    ]

"""`sellerProducts`: a seller's own listings in every status; the public queries stay
published-only."""

import pytest

from market.catalog.models import ProductStatus
from tests.catalog.seller import support
from tests.factories import ProductFactory, SellerFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

SELLER_PRODUCTS = """query($status: ProductStatus, $first: Int, $after: String) {
  sellerProducts(status: $status, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { name status } } } }"""


def _owner():
    return SellerFactory(user=UserFactory())


def test_seller_sees_their_own_products_in_every_status_newest_first(gql_as):
    seller = _owner()
    ProductFactory(seller=seller, name="Draft", status=ProductStatus.DRAFT)
    ProductFactory(seller=seller, name="Listed", status=ProductStatus.PUBLISHED)
    ProductFactory(seller=seller, name="Retired", status=ProductStatus.ARCHIVED)
    ProductFactory(name="Someone else's", status=ProductStatus.DRAFT)

    data = gql_as(seller.user).execute(SELLER_PRODUCTS)["sellerProducts"]

    assert data["totalCount"] == 3
    assert [e["node"] for e in data["edges"]] == [
        {"name": "Retired", "status": "ARCHIVED"},
        {"name": "Listed", "status": "PUBLISHED"},
        {"name": "Draft", "status": "DRAFT"},
    ]


def test_seller_products_filter_by_status(gql_as):
    seller = _owner()
    ProductFactory(seller=seller, name="Draft", status=ProductStatus.DRAFT)
    ProductFactory(seller=seller, name="Listed", status=ProductStatus.PUBLISHED)

    data = gql_as(seller.user).execute(SELLER_PRODUCTS, {"status": "DRAFT"})["sellerProducts"]

    assert [e["node"]["name"] for e in data["edges"]] == ["Draft"]


def test_seller_products_pages_with_cursors(gql_as):
    seller = _owner()
    for name in ("A", "B", "C"):
        ProductFactory(seller=seller, name=name, status=ProductStatus.DRAFT)
    client = gql_as(seller.user)

    first = client.execute(SELLER_PRODUCTS, {"first": 2})["sellerProducts"]
    rest = client.execute(SELLER_PRODUCTS, {"first": 2, "after": first["pageInfo"]["endCursor"]})[
        "sellerProducts"
    ]

    assert [e["node"]["name"] for e in first["edges"]] == ["C", "B"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["name"] for e in rest["edges"]] == ["A"]


@pytest.mark.parametrize(
    "who,code",
    [
        ("anonymous", "unauthenticated"),
        ("buyer", "permission_denied"),
        ("staff", "permission_denied"),
    ],
)
def test_seller_products_need_a_seller(gql_as, who, code):
    user = {"anonymous": None, "buyer": UserFactory, "staff": StaffFactory}[who]
    client = gql_as(user() if user else None)

    errors = client.errors(SELLER_PRODUCTS)

    assert errors[0]["extensions"]["code"] == code


def test_a_draft_is_invisible_to_the_public_product_query(gql):
    product = support.publishable_draft()

    data = gql.execute(
        "query($id: ID!) { product(id: $id) { name } node(id: $id) { id } }",
        {"id": support.gid(product)},
    )

    assert data == {"product": None, "node": None}


def test_seller_products_take_a_fixed_number_of_queries(gql_as, django_assert_max_num_queries):
    from tests.factories import AttributeValueFactory, ProductImageFactory, ProductVariantFactory

    seller = _owner()
    for _ in range(5):
        product = ProductFactory(seller=seller, status=ProductStatus.DRAFT)
        ProductVariantFactory(product=product)
        ProductImageFactory(product=product)
        product.attribute_values.add(AttributeValueFactory())
    client = gql_as(seller.user)
    query = """{ sellerProducts(first: 20) { edges { node {
        name status category { name } seller { name } priceRange { start { amount } }
        variants { sku price { amount } } images { url } thumbnail { url }
        attributes { name values { name } } } } } }"""

    # auth (token user + seller), products, variants, images, attribute values
    with django_assert_max_num_queries(8):
        data = client.execute(query)

    assert len(data["sellerProducts"]["edges"]) == 5

"""What fuzzing the API found, one behaviour each: a client's malformed input is a coded client
error or an empty answer, never an ``internal_error`` nor the text of a Python exception."""

import pytest
from graphql_relay import to_global_id

from market.catalog.models import ProductStatus
from tests.catalog.seller import support
from tests.factories import ProductFactory, SellerFactory, UserFactory, listed_product

pytestmark = pytest.mark.django_db


def test_a_malformed_uuid_in_the_document_is_a_validation_error_without_the_parsers_words(gql):
    response = gql.post('{ orderByToken(token: "not-a-uuid") { number } }')

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "message": "Expected value of type 'UUID!', found \"not-a-uuid\".",
            "locations": [{"line": 1, "column": 23}],
            "extensions": {"code": "graphql_validation_failed"},
        }
    ]


def test_a_malformed_uuid_in_the_variables_is_a_validation_error_naming_the_type(gql):
    response = gql.post(
        "query($t: UUID!) { orderByToken(token: $t) { number } }", {"t": "not-a-uuid"}
    )

    [error] = response.json()["errors"]
    assert (error["message"], error["extensions"]) == (
        "Variable '$t' got invalid value 'not-a-uuid'; UUID cannot represent value: 'not-a-uuid'",
        {"code": "graphql_validation_failed"},
    )


@pytest.mark.parametrize(
    "global_id",
    [
        to_global_id("Order", 1),  # a type that is not a node
        to_global_id("Nowhere", 1),  # no such type
        to_global_id("String", 1),  # a scalar
        to_global_id("Product", "abc"),  # not a number
        to_global_id("Product", 0),
        to_global_id("Product", 10**30),  # beyond any database integer
        "not base64 at all",
        "",
    ],
    ids=[
        "not-a-node",
        "unknown-type",
        "scalar",
        "not-a-number",
        "zero",
        "huge",
        "garbage",
        "empty",
    ],
)
def test_node_of_an_id_that_names_no_object_is_null(gql, global_id):
    listed_product()

    response = gql.post("query($id: ID!) { node(id: $id) { id } }", {"id": global_id})

    assert response.json() == {"data": {"node": None}}


def test_node_still_finds_a_product_and_a_user_is_not_a_node(gql):
    product = listed_product()
    user = UserFactory()

    found = gql.execute(
        "query($id: ID!) { node(id: $id) { id ... on Product { name } } }",
        {"id": to_global_id("Product", product.pk)},
    )
    hidden = gql.execute(
        "query($id: ID!) { node(id: $id) { id } }", {"id": to_global_id("User", user.pk)}
    )

    assert found == {"node": {"id": to_global_id("Product", product.pk), "name": product.name}}
    assert hidden == {"node": None}


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("bound", ["priceGte", "priceLte"])
def test_a_price_filter_that_is_not_a_number_is_refused_with_its_code(gql, bound, amount):
    listed_product()

    response = gql.post(f'{{ products(filter: {{{bound}: "{amount}"}}) {{ totalCount }} }}')

    [error] = response.json()["errors"]
    assert (error["message"], error["extensions"]) == (
        f"'{bound}' must be a number.",
        {"code": "invalid_price_range", "field": f"filter.{bound}"},
    )


def test_a_price_filter_beyond_any_price_means_no_bound_or_no_product(gql):
    listed_product(prices=("100.00",))
    query = '{ products(filter: {%s: "1E+999999999"}) { totalCount } }'

    assert gql.execute(query % "priceLte") == {"products": {"totalCount": 1}}
    assert gql.execute(query % "priceGte") == {"products": {"totalCount": 0}}


@pytest.mark.parametrize("price", ["1E+40", "9" * 40, "1E+999999999", "9999999999.999"])
def test_a_variant_price_too_large_to_round_is_refused_with_its_code(gql_as, price):
    seller = SellerFactory(user=UserFactory())
    product = ProductFactory(seller=seller, status=ProductStatus.DRAFT)
    client = gql_as(seller.user)
    before = support.catalogue_rows()

    response = client.post(
        support.VARIANT_CREATE,
        {
            "productId": support.gid(product),
            "input": {"sku": "RUG-1", "price": price, "stockQuantity": 1},
        },
    )

    assert [
        (e["code"], e["field"], e["message"])
        for e in support.payload(response, "productVariantCreate")["errors"]
    ] == [("INVALID_PRICE", "price", "A price is at most 9999999999.99.")]
    assert support.catalogue_rows() == before


def test_a_bug_answers_internal_error_without_its_text_and_is_logged(gql, monkeypatch, caplog):
    def broken(**kwargs):
        raise ValueError('value overflows numeric format LINE 1: SELECT "catalog_product"')

    monkeypatch.setattr("market.catalog.selectors.product_list_filtered", broken)

    response = gql.post("{ products { totalCount } }")

    assert response.json()["errors"] == [
        {
            "message": "An internal error occurred; it has been logged.",
            "locations": [{"line": 1, "column": 3}],
            "path": ["products"],
            "extensions": {"code": "internal_error"},
        }
    ]
    [record] = [r for r in caplog.records if r.name == "market.graphql.core.errors"]
    assert record.getMessage() == "Internal error answering products"
    assert "value overflows numeric format" in str(record.exc_info[1])

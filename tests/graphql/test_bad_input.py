"""Bad arguments get a clear error naming the argument: never a 500, never a silent page."""

import base64

import pytest

from tests.factories import listed_product

pytestmark = pytest.mark.django_db


def the_error(gql, query, variables=None):
    response = gql.post(query, variables)
    assert response.status_code != 500
    body = response.json()
    assert body.get("errors"), body
    assert not (body.get("data") or {}).get("products"), "no data may come with the error"
    return body["errors"][0]


def test_unknown_currency_names_the_argument(gql):
    error = the_error(gql, '{ products(currency: "XYZ") { totalCount } }')

    assert error["extensions"] == {"code": "unknown_currency", "field": "currency"}
    assert "XYZ" in error["message"]


def test_malformed_cursor_is_refused_not_treated_as_the_first_page(gql):
    listed_product()

    error = the_error(gql, '{ products(after: "not-a-cursor") { totalCount } }')

    assert error["extensions"] == {"code": "invalid_cursor", "field": "after"}


def test_a_cursor_of_another_list_is_refused(gql):
    seller_cursor = base64.urlsafe_b64encode(b"seller:3").decode()

    error = the_error(
        gql, "query($c: String) { products(before: $c) { totalCount } }", {"c": seller_cursor}
    )

    assert error["extensions"]["field"] == "before"


@pytest.mark.parametrize("argument", ["first", "last"])
def test_page_size_over_the_cap_is_refused(gql, argument):
    error = the_error(gql, f"{{ products({argument}: 101) {{ totalCount }} }}")

    assert error["extensions"] == {"code": "page_size_exceeded", "field": argument}
    assert "100" in error["message"]


def test_negative_page_size_is_refused(gql):
    error = the_error(gql, "{ sellers(first: -1) { totalCount } }")

    assert error["extensions"] == {"code": "page_size_exceeded", "field": "first"}


def test_unknown_sort_field_is_a_validation_error(gql):
    response = gql.post("{ products(sortBy: {field: POPULARITY}) { totalCount } }")

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert "POPULARITY" in error["message"]
    assert "ProductSortField" in error["message"]


def test_negative_price_bound_is_refused(gql):
    error = the_error(gql, '{ products(filter: {priceGte: "-1"}) { totalCount } }')

    assert error["extensions"] == {"code": "invalid_price_range", "field": "filter.priceGte"}


def test_inverted_price_range_is_refused(gql):
    error = the_error(gql, '{ products(filter: {priceGte: "100", priceLte: "10"}) { totalCount } }')

    assert error["extensions"]["code"] == "invalid_price_range"


def test_sorting_by_relevance_without_search_is_refused(gql):
    error = the_error(gql, "{ products(sortBy: {field: RELEVANCE}) { totalCount } }")

    assert error["extensions"] == {"code": "invalid_search", "field": "sortBy"}


def test_an_id_of_the_wrong_type_in_a_filter_is_refused(gql):
    error = the_error(
        gql, '{ products(filter: {categories: ["U2VsbGVyOjE="]}) { totalCount } }'
    )  # Seller:1

    assert error["extensions"] == {"code": "invalid_argument", "field": "filter.categories"}


@pytest.mark.parametrize(
    ("field", "values"),
    [("sellerSlugs", [f"maker-{i}" for i in range(101)]), ("categorySlugs", ["x" * 201])],
)
def test_a_filter_list_too_long_or_of_too_long_values_is_refused(gql, field, values):
    query = f"query ($v: [String!]) {{ products(filter: {{{field}: $v}}) {{ totalCount }} }}"
    data = gql.post(query, {"v": values}).json()

    assert data["errors"][0]["extensions"] == {
        "code": "invalid_argument",
        "field": f"filter.{field}",
    }


def test_bad_country_code_is_refused(gql):
    error = the_error(gql, '{ products(filter: {originCountries: ["Azerbaijan"]}) { totalCount } }')

    assert error["extensions"]["field"] == "filter.originCountries"


def test_product_needs_exactly_one_of_id_or_slug(gql):
    response = gql.post("{ product { name } }")

    assert response.json()["errors"][0]["extensions"]["field"] == "id"


def test_an_over_deep_query_is_refused_before_it_runs(gql):
    nested = "children { " * 12 + "name" + " }" * 12
    response = gql.post(f"{{ categories {{ {nested} }} }}")

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "query_too_deep"
    assert "limit is 10" in error["message"]


def test_an_over_costly_query_is_refused_before_it_runs(gql, settings):
    settings.GRAPHQL_MAX_COST = 500
    query = "{ products(first: 100) { edges { node { name slug variants { sku } } } } }"

    response = gql.post(query)

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "query_too_costly"


def test_page_size_from_variables_counts_towards_the_cost(gql, settings):
    settings.GRAPHQL_MAX_COST = 500
    query = (
        "query($n: Int) { products(first: $n) { edges { node { name slug variants { sku } } } } }"
    )

    refused = gql.post(query, {"n": 100})
    allowed = gql.post(query, {"n": 5})

    assert refused.json()["errors"][0]["extensions"]["code"] == "query_too_costly"
    assert "errors" not in allowed.json()


def test_a_document_measured_before_is_measured_again_for_other_page_sizes_and_limits(
    gql, settings
):
    settings.GRAPHQL_MAX_COST = 500
    query = (
        "query($n: Int = 100) { products(first: $n) { edges { node { name variants { sku } } } } }"
    )

    allowed = gql.post(query, {"n": 5})
    refused = gql.post(query, {"n": 100})
    refused_by_default = gql.post(query, {})
    settings.GRAPHQL_MAX_COST = 50
    refused_after_the_cap_fell = gql.post(query, {"n": 5})

    assert "errors" not in allowed.json()
    for response in (refused, refused_by_default, refused_after_the_cap_fell):
        assert response.json()["errors"][0]["extensions"]["code"] == "query_too_costly"


def test_fragment_cycles_are_refused_without_crashing(gql):
    query = """{ categories { ...A } }
               fragment A on Category { children { ...B } }
               fragment B on Category { children { ...A } }"""

    response = gql.post(query)

    assert response.status_code == 400
    assert any("A" in e["message"] for e in response.json()["errors"])


def test_malformed_json_body_is_a_400(gql):
    response = gql.client.post("/graphql/", data="{not json", content_type="application/json")

    assert response.status_code == 400

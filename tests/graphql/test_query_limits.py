"""No query can hold the API: hostile documents are refused, fast and with a code, before they
run; the documents our own clients send stay well under every limit."""

import json
from pathlib import Path

import pytest
from graphql import get_introspection_query

from bench.catalogue import PRODUCTS_QUERY
from tests.factories import listed_product

pytestmark = pytest.mark.django_db

LIMIT_CODES = {
    "query_too_costly",
    "query_too_deep",
    "too_many_aliases",
    "too_many_root_fields",
    "query_too_large",
    "introspection_disabled",
}
OPERATIONS = sorted(
    (Path(__file__).resolve().parents[2] / "graphql" / "operations").glob("*.graphql")
)

# The issue's reproduction: 24 fragments, each spreading the next one twice (986 bytes).
FRAGMENT_BOMB = (
    "query { ...F0 }\n"
    + "".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}\n" for i in range(24))
    + "fragment F24 on Query { __typename }"
)


def refusal_codes(response) -> set[str]:
    body = response.json()
    assert response.status_code == 400, body
    assert "data" not in body or body["data"] is None, "a refused query runs nothing"
    return {error["extensions"]["code"] for error in body["errors"]}


@pytest.mark.timeout(20)
def test_fragments_spreading_the_next_twice_are_measured_once_each_and_refused(gql):
    assert len(FRAGMENT_BOMB) < 1000

    codes = refusal_codes(gql.post(FRAGMENT_BOMB))

    assert "query_too_costly" in codes


@pytest.mark.timeout(30)
def test_300_aliased_schema_introspections_cost_what_they_return(gql, settings):
    """Where introspection is allowed, ``__schema`` still costs like any field."""
    settings.GRAPHQL_INTROSPECTION = True
    settings.GRAPHQL_MAX_ALIASES = settings.GRAPHQL_MAX_ROOT_FIELDS = 1000
    settings.GRAPHQL_MAX_TOKENS = 10_000
    schema = "__schema { types { name fields { name type { name } } } }"
    query = "{ " + " ".join(f"s{i}: {schema}" for i in range(300)) + " }"

    assert refusal_codes(gql.post(query)) == {"query_too_costly"}


@pytest.mark.timeout(30)
def test_300_aliased_schema_introspections_are_refused_in_production(gql, settings):
    settings.GRAPHQL_INTROSPECTION = False
    query = "{ " + " ".join(f"s{i}: __schema {{ types {{ name }} }}" for i in range(300)) + " }"

    assert refusal_codes(gql.post(query)) == {"query_too_large"}  # 2 700 tokens

    settings.GRAPHQL_MAX_TOKENS = 10_000
    codes = refusal_codes(gql.post(query))

    assert {"introspection_disabled", "too_many_aliases"} <= codes


def test_a_connection_without_first_costs_its_default_page_size(gql, settings):
    listed_product(name="Kilim")
    # 1 + 20 × (edges 1 + node 1 + name 1 + variants (1 + 10 × sku 1)) = 281; with a page of
    # one product it would cost 15.
    settings.GRAPHQL_MAX_COST = 200
    query = "{ products { edges { node { name variants { sku } } } } }"

    response = gql.post(query)

    assert refusal_codes(response) == {"query_too_costly"}
    assert "would cost 281" in response.json()["errors"][0]["message"]


@pytest.mark.timeout(30)
def test_1000_aliased_searches_without_first_are_refused(gql):
    listed_product(name="Carpet")
    query = (
        "{ "
        + " ".join(
            f'p{i}: products(filter: {{search: "carpet"}}) {{ edges {{ node {{ name }} }} }}'
            for i in range(1000)
        )
        + " }"
    )

    assert refusal_codes(gql.post(query)) == {"query_too_large"}


@pytest.mark.timeout(30)
def test_1000_aliased_searches_are_refused_by_each_cap_when_the_document_may_be_long(gql, settings):
    settings.GRAPHQL_MAX_TOKENS = 30_000
    listed_product(name="Carpet")
    query = (
        "{ "
        + " ".join(
            f'p{i}: products(filter: {{search: "carpet"}}) {{ edges {{ node {{ name }} }} }}'
            for i in range(1000)
        )
        + " }"
    )

    codes = refusal_codes(gql.post(query))

    assert codes == {"too_many_aliases", "too_many_root_fields", "query_too_costly"}


def test_more_aliases_than_the_cap_are_refused(gql, settings):
    settings.GRAPHQL_MAX_ALIASES = 30

    def query(aliases):
        return "{ currencies { " + " ".join(f"c{i}: code" for i in range(aliases)) + " } }"

    allowed = gql.post(query(30))
    refused = gql.post(query(31))

    assert "errors" not in allowed.json()
    assert refusal_codes(refused) == {"too_many_aliases"}
    assert "31 aliases; the limit is 30" in refused.json()["errors"][0]["message"]


def test_aliases_inside_fragments_count_each_time_the_fragment_is_spread(gql, settings):
    settings.GRAPHQL_MAX_ALIASES = 30
    codes = " ".join(f"c{i}: code" for i in range(16))
    query = f"{{ currencies {{ ...Codes ...Codes }} }} fragment Codes on Currency {{ {codes} }}"

    assert refusal_codes(gql.post(query)) == {"too_many_aliases"}


def test_more_root_fields_than_the_cap_are_refused(gql, settings):
    settings.GRAPHQL_MAX_ROOT_FIELDS = 15

    allowed = gql.post("{ " + "currencies { code } " * 15 + "}")
    refused = gql.post("{ " + "currencies { code } " * 16 + "}")

    assert "errors" not in allowed.json()
    assert refusal_codes(refused) == {"too_many_root_fields"}


def test_a_document_of_more_tokens_than_the_cap_is_refused(gql, settings):
    settings.GRAPHQL_MAX_TOKENS = 2_000

    def query(countries):  # 16 tokens around the list
        return (
            "{ products(filter: {originCountries: [" + ' "AZ"' * countries + "]}) { totalCount } }"
        )

    allowed = gql.post(query(1984))
    refused = gql.post(query(1985))

    assert allowed.json() == {"data": {"products": {"totalCount": 0}}}
    assert refusal_codes(refused) == {"query_too_large"}


def test_fragments_nesting_fields_hundreds_deep_are_refused_as_too_deep(gql):
    levels = 60  # per fragment; the parser allows 200, ten fragments chain 600
    query = "{ categories { ...F0 } }\n" + "".join(
        f"fragment F{i} on Category {{ "
        + "children { " * levels
        + (f"...F{i + 1}" if i < 9 else "name")
        + " }" * levels
        + " }\n"
        for i in range(10)
    )

    assert refusal_codes(gql.post(query)) == {"query_too_deep"}


def test_a_refused_query_touches_no_table(gql, django_assert_num_queries):
    with django_assert_num_queries(0):
        gql.post(FRAGMENT_BOMB)


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda path: path.stem)
def test_the_operations_our_clients_send_are_within_every_limit(gql, path):
    response = gql.post(path.read_text())

    codes = {e.get("extensions", {}).get("code") for e in response.json().get("errors", [])}
    assert not codes & LIMIT_CODES, response.json()


def test_the_catalogue_benchmark_listing_of_100_is_within_every_limit(gql, eur_rate):
    listed_product(name="Kilim")

    data = gql.execute(PRODUCTS_QUERY, {"first": 100})

    assert [e["node"]["name"] for e in data["products"]["edges"]] == ["Kilim"]


def test_graphiqls_introspection_query_is_within_the_limits_where_introspection_is_on(
    gql, settings
):
    settings.GRAPHQL_INTROSPECTION = True

    data = gql.execute(get_introspection_query(descriptions=True))

    assert data["__schema"]["queryType"]["name"] == "Query"
    assert len(json.dumps(data)) > 100_000

"""The published API contract in graphql/ matches the code, and its operations stay valid."""

from pathlib import Path

import pytest
from graphql import parse, print_schema, validate

from market.graphql.schema import schema

CONTRACT = Path(__file__).resolve().parents[1] / "graphql"
OPERATIONS = sorted((CONTRACT / "operations").rglob("*.graphql"))


def test_schema_file_is_what_the_code_generates():
    assert (CONTRACT / "schema.graphql").read_text() == print_schema(schema.graphql_schema), (
        "graphql/schema.graphql is stale: run `make schema`"
    )


def test_the_top_level_graphql_folder_is_not_a_python_package():
    assert not (CONTRACT / "__init__.py").exists()


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda p: p.stem)
def test_published_operations_validate_against_the_schema(operation):
    errors = validate(schema.graphql_schema, parse(operation.read_text()))

    assert errors == []


PUBLIC_QUERIES = [
    p
    for p in OPERATIONS
    if p.read_text().lstrip().startswith(("query", "#"))
    and "me {" not in p.read_text()
    and "mutation " not in p.read_text()
]


@pytest.mark.django_db
@pytest.mark.parametrize("operation", PUBLIC_QUERIES, ids=lambda p: p.stem)
def test_published_public_queries_run_without_errors(gql, operation):
    # Values for the variables a public query may need (an unknown token finds nothing).
    samples = {
        "slug": "anything",
        "token": "00000000-0000-4000-8000-000000000000",
        "shippingCountry": "DE",
        "billingCountry": "AE",
    }
    variables = {
        name: value for name, value in samples.items() if f"${name}" in operation.read_text()
    }

    gql.execute(operation.read_text(), variables)


@pytest.mark.django_db
def test_the_seller_dashboard_runs_for_a_signed_in_seller(gql_as):
    from tests.factories import SellerFactory, UserFactory

    user = UserFactory()
    SellerFactory(user=user)

    data = gql_as(user).execute((CONTRACT / "operations/SellerDashboard.graphql").read_text())

    assert data["me"]["seller"]["status"] == "approved"
    assert data["sellerProducts"]["totalCount"] == 0

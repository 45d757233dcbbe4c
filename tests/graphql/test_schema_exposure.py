"""Production does not describe its schema to strangers: no introspection, no GraphiQL, no
"Did you mean …?" in errors, unless a setting turns them on (the default follows DEBUG)."""

import runpy
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "market" / "settings.py"


@pytest.fixture
def production(settings):
    settings.GRAPHQL_INTROSPECTION = False
    settings.GRAPHQL_GRAPHIQL = False
    settings.GRAPHQL_FIELD_SUGGESTIONS = False
    return settings


@pytest.mark.parametrize(("debug", "expected"), [("false", False), ("true", True)])
def test_introspection_graphiql_and_suggestions_follow_debug_by_default(
    monkeypatch, debug, expected
):
    monkeypatch.setenv("DJANGO_DEBUG", debug)
    for name in ("GRAPHQL_INTROSPECTION", "GRAPHQL_GRAPHIQL", "GRAPHQL_FIELD_SUGGESTIONS"):
        monkeypatch.delenv(name, raising=False)

    values = runpy.run_path(str(SETTINGS_FILE))

    assert values["GRAPHQL_INTROSPECTION"] is expected
    assert values["GRAPHQL_GRAPHIQL"] is expected
    assert values["GRAPHQL_FIELD_SUGGESTIONS"] is expected


def test_a_setting_turns_introspection_on_without_debug(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "false")
    monkeypatch.setenv("GRAPHQL_INTROSPECTION", "true")
    monkeypatch.delenv("GRAPHQL_GRAPHIQL", raising=False)

    values = runpy.run_path(str(SETTINGS_FILE))

    assert values["GRAPHQL_INTROSPECTION"] is True
    assert values["GRAPHQL_GRAPHIQL"] is True


@pytest.mark.parametrize(
    "query",
    [
        "{ __schema { queryType { name } } }",
        '{ __type(name: "Product") { fields { name } } }',
        "{ currencies { code } ...Meta } fragment Meta on Query { __schema { types { name } } }",
    ],
)
def test_introspection_is_refused_in_production(gql, production, query):
    response = gql.post(query)

    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["introspection_disabled"]


def test_typename_still_answers_in_production(gql, production):
    assert gql.execute("{ __typename currencies { __typename } }")["__typename"] == "Query"


def test_introspection_answers_where_the_setting_allows_it(gql, settings):
    settings.GRAPHQL_INTROSPECTION = True

    data = gql.execute('{ __type(name: "Product") { name } }')

    assert data == {"__type": {"name": "Product"}}


def test_graphiql_is_not_served_in_production(gql, production):
    response = gql.client.get("/graphql/", headers={"Accept": "text/html"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert b"graphiql" not in response.content.lower()
    assert response.json()["errors"][0]["extensions"]["code"] == "bad_request"


def test_graphiql_is_served_where_the_setting_allows_it(gql, settings):
    settings.GRAPHQL_GRAPHIQL = True

    response = gql.client.get("/graphql/", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert b"graphiql" in response.content.lower()


@pytest.mark.parametrize(
    ("query", "variables", "kept"),
    [
        ("{ products { edges { node { nme } } } }", None, "Cannot query field 'nme'"),
        ("{ products(frist: 2) { totalCount } }", None, "Unknown argument 'frist'"),
        ("{ products(sortBy: {field: NAM}) { totalCount } }", None, "Value 'NAM' does not exist"),
        (
            "query($s: ProductSortInput) { products(sortBy: $s) { totalCount } }",
            {"s": {"field": "NAM"}},
            "Value 'NAM' does not exist",
        ),
        (
            "query($f: ProductFilterInput) { products(filter: $f) { totalCount } }",
            {"f": {"serch": "rug"}},
            "Field 'serch' is not defined",
        ),
    ],
)
def test_errors_make_no_suggestions_in_production(gql, production, query, variables, kept):
    errors = gql.errors(query, variables)

    assert kept in errors[0]["message"]
    assert "Did you mean" not in errors[0]["message"]


def test_errors_make_suggestions_where_the_setting_allows_them(gql, settings):
    settings.GRAPHQL_FIELD_SUGGESTIONS = True

    errors = gql.errors("{ products { edges { node { nme } } } }")

    assert "Did you mean 'name'?" in errors[0]["message"]


def test_html_form_posts_are_refused(gql):
    response = gql.client.post(
        "/graphql/",
        data={"query": "{ currencies { code } }"},
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 415
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"] == {"code": "unsupported_media_type"}


def test_text_plain_posts_are_refused(gql):
    response = gql.client.post(
        "/graphql/", data='{"query": "{ __typename }"}', content_type="text/plain"
    )

    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"] == {"code": "unsupported_media_type"}

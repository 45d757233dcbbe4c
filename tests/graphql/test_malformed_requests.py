"""A request /graphql/ cannot read is a 4xx with a code, never a 500: each answers
``{"errors": [{"message": …, "extensions": {"code": …}}]}`` and runs nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from market.accounts.models import User

pytestmark = pytest.mark.django_db

REGISTER = """mutation($input: AccountRegisterInput!) {
  accountRegister(input: $input) { user { email } errors { code } }
}"""


def post_json(gql, body):
    return gql.client.post("/graphql/", data=json.dumps(body), content_type="application/json")


def the_refusal(response, code="bad_request", status=400) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"errors"}, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code
    assert error["message"]
    return error


@pytest.mark.parametrize(
    "body",
    [
        {"query": 123},
        {"query": ["{ currencies { code } }"]},
        {"query": {"text": "{ currencies { code } }"}},
        {"query": True},
        {"query": "{ currencies { code } }", "variables": [1, 2]},
        {"query": "{ currencies { code } }", "variables": 5},
        {"query": "{ currencies { code } }", "variables": "[1]"},
        {"query": "{ currencies { code } }", "variables": "not json"},
        {"query": "{ currencies { code } }", "operationName": 5},
        {"query": "{ currencies { code } }", "operationName": ["A"]},
        {"variables": {}},
    ],
)
def test_parameters_of_the_wrong_type_are_a_400(gql, body):
    the_refusal(post_json(gql, body))


@pytest.mark.parametrize("body", ["{not json", "[]", '"query"', "[" * 100_000 + "]" * 100_000])
def test_a_body_that_is_not_a_json_object_is_a_400(gql, body):
    response = gql.client.post("/graphql/", data=body, content_type="application/json")

    the_refusal(response)


@pytest.mark.parametrize("content_type", ["application/graphql", "application/json"])
def test_a_body_that_is_not_utf8_is_a_400(gql, content_type):
    response = gql.client.post(
        "/graphql/", data=b"{ currencies { code \xff } }", content_type=content_type
    )

    the_refusal(response)


def test_a_bare_graphql_document_is_accepted(gql):
    response = gql.client.post(
        "/graphql/", data="{ sellers { totalCount } }", content_type="application/graphql"
    )

    assert response.json() == {"data": {"sellers": {"totalCount": 0}}}


def test_a_nul_character_in_a_get_query_is_a_400(gql):
    the_refusal(gql.client.get("/graphql/", {"query": "{ currencies { code } }\x00"}))


def test_a_string_variables_parameter_holding_an_object_is_accepted(gql):
    response = post_json(
        gql,
        {
            "query": "query($n: Int) { sellers(first: $n) { totalCount } }",
            "variables": json.dumps({"n": 1}),
        },
    )

    assert response.json() == {"data": {"sellers": {"totalCount": 0}}}


def register_input(**overrides):
    return {"email": "nul@example.com", "password": "a long enough passphrase", **overrides}


@pytest.mark.parametrize(
    "variables",
    [
        {"input": register_input(firstName="Ay\x00dan")},
        {"input": register_input(email="nul\x00@example.com")},
        {"input": register_input(), "extra": ["fine", {"deep": ["x\x00"]}]},
        {"input": register_input(), "key\x00": 1},
        {"input": register_input(firstName="Ay\ud800dan")},
        {"input": register_input(), "extra": [{"deep": "\udfff"}]},
    ],
)
def test_a_nul_character_anywhere_in_the_variables_is_a_400(gql, variables):
    the_refusal(gql.post(REGISTER, variables))

    assert not User.objects.exists()


def test_a_nul_character_in_a_string_of_the_query_is_a_400(gql):
    query = (
        'mutation { accountRegister(input: {email: "nul@example.com", '
        'password: "a long enough passphrase", firstName: "Ay\\u0000dan"}) '
        "{ errors { code } } }"
    )

    the_refusal(gql.post(query))

    assert not User.objects.exists()


def test_a_lone_surrogate_in_a_string_of_the_query_is_refused_with_a_code(gql):
    """PostgreSQL cannot store a lone surrogate either (psycopg cannot encode it)."""
    query = (
        'mutation { accountRegister(input: {email: "s@example.com", '
        'password: "a long enough passphrase", firstName: "Ay\\ud800dan"}) '
        "{ errors { code } } }"
    )

    response = gql.post(query)

    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["extensions"]["code"] in {
        "bad_request",
        "graphql_validation_failed",
    }
    assert not User.objects.exists()


def test_a_nul_character_in_the_query_text_is_a_400(gql):
    the_refusal(gql.post("{ currencies { code } }\x00"))


def test_a_nul_character_in_the_operation_name_is_a_400(gql):
    the_refusal(
        post_json(gql, {"query": "query A { currencies { code } }", "operationName": "A\x00"})
    )


def multipart(gql, operations, mapping, files=None):
    data = {
        "operations": operations if isinstance(operations, str) else json.dumps(operations),
        "map": mapping if isinstance(mapping, str) else json.dumps(mapping),
    }
    data.update(
        files
        if files is not None
        else {"0": SimpleUploadedFile("a.png", b"\x89PNG", content_type="image/png")}
    )
    return gql.client.post("/graphql/", data=data)


UPLOAD = {
    "query": "mutation($f: Upload!) { productImportCreate(file: $f) { errors { code } } }",
    "variables": {"f": None},
}


def test_a_multipart_map_to_a_null_variable_reaches_the_mutation(gql):
    response = multipart(gql, UPLOAD, {"0": ["variables.f"]})

    assert response.json()["errors"][0]["extensions"]["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "mapping",
    [
        {"0": ["query"]},
        {"0": ["operationName"]},
        {"0": ["variables.missing.deeper"]},
        {"0": ["variables.f.0"]},
        {"0": ["variables"]},
        {"0": "variables.f"},
        {"0": [5]},
        {"1": ["variables.f"]},
        ["variables.f"],
        "{not json",
    ],
)
def test_a_multipart_map_that_does_not_lead_to_a_null_variable_is_a_400(gql, mapping):
    the_refusal(multipart(gql, UPLOAD, mapping))


@pytest.mark.parametrize("operations", ["{not json", "[]", json.dumps({"query": 5})])
def test_multipart_operations_that_are_not_an_operation_are_a_400(gql, operations):
    the_refusal(multipart(gql, operations, {"0": ["variables.f"]}))


def test_a_multipart_form_without_operations_is_a_400(gql):
    response = gql.client.post("/graphql/", data={"query": "{ currencies { code } }"})

    the_refusal(response)


def test_a_get_mutation_is_a_405_with_a_code(gql):
    response = gql.client.get(
        "/graphql/", {"query": "mutation { tokensRevokeAll { errors { code } } }"}
    )

    the_refusal(response, code="method_not_allowed", status=405)

"""Every mutation of the schema, asked by each of six roles: anonymous, a buyer, another
seller, the owner, staff without and staff with the mutation's permission. Each answers as its
row in ``CASES`` says; a refusal leaves every row of the domain, and the outbox of on-commit
work, exactly as it was."""

import pytest
from graphql_relay import from_global_id, to_global_id

from market.graphql.schema import schema
from tests.authorization.cases import CASES, OK, REFUSALS_AT_THE_DOOR, document
from tests.authorization.world import ROLES, World, database_snapshot

pytestmark = pytest.mark.django_db


def test_every_mutation_has_a_matrix_row():
    in_schema = set(schema.graphql_schema.mutation_type.fields)

    missing, extra = sorted(in_schema - set(CASES)), sorted(set(CASES) - in_schema)

    assert not missing and not extra, (
        f"add a row to tests/authorization/cases.py CASES for {missing}; "
        f"remove the rows of mutations no longer in the schema: {extra}"
    )


def outcome(body: dict, name: str) -> str:
    """A top-level error's code, or the payload's error codes, or OK."""
    if body.get("errors"):
        assert body["data"] == {name: None}, body
        return ",".join(error["extensions"]["code"] for error in body["errors"])
    errors = body["data"][name]["errors"]
    return ",".join(error["code"] for error in errors) if errors else OK


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_mutation_answers_each_role_as_its_row_says(
    name, role, request, gql_as, django_capture_on_commit_callbacks
):
    row = CASES[name]
    services = {fixture: request.getfixturevalue(fixture) for fixture in row.needs}
    world = World.build(row.expect.permission, country=row.country, owner=row.owner)
    call = row.arrange(world)
    client = gql_as(world.users[role])
    before = database_snapshot()

    with django_capture_on_commit_callbacks() as on_commit:
        if call.files:
            response = client.upload(document(name, row.returns), call.variables, call.files)
        else:
            response = client.post(document(name, row.returns), call.variables)

    body = response.json()
    assert response.status_code == 200, body
    expected = row.expect.outcomes[role]
    assert outcome(body, name) == expected, body
    if expected == OK:
        assert database_snapshot() != before or on_commit, f"{name} did nothing: {body}"
        return
    assert database_snapshot() == before
    assert on_commit == []
    if "stripe_server" in services:
        assert services["stripe_server"].state.calls == []
    if expected in REFUSALS_AT_THE_DOOR:
        assert len(body["errors"]) == 1


def _id_arguments(name: str) -> list[str]:
    arguments = schema.graphql_schema.mutation_type.fields[name].args
    return [arg for arg, spec in arguments.items() if str(spec.type) in ("ID!", "ID")]


# Rows where another seller gets past the door but not to the object. Where everyone holding
# the arguments may act (a checkout's token is its key), nothing is anyone else's to hide.
NAMING_ANOTHERS_OBJECT = sorted(
    name
    for name, row in CASES.items()
    if _id_arguments(name)
    and row.expect.outcomes["other_seller"] not in REFUSALS_AT_THE_DOOR | {OK}
)


@pytest.mark.parametrize("name", NAMING_ANOTHERS_OBJECT)
def test_another_sellers_object_answers_exactly_like_a_missing_one(name, request, gql_as):
    row = CASES[name]
    for fixture in row.needs:
        request.getfixturevalue(fixture)
    world = World.build(row.expect.permission, country=row.country, owner=row.owner)
    call = row.arrange(world)
    client = gql_as(world.users["other_seller"])
    before = database_snapshot()

    def answer(variables):
        files = call.files and {path: _reopened(file) for path, file in call.files.items()}
        if files:
            return client.upload(document(name, row.returns), variables, files).json()
        return client.post(document(name, row.returns), variables).json()

    someone_elses = answer(call.variables)
    missing = answer(
        {
            **call.variables,
            **{
                arg: to_global_id(from_global_id(call.variables[arg])[0], 987654)
                for arg in _id_arguments(name)
                if isinstance(call.variables.get(arg), str)
            },
        }
    )

    assert someone_elses == missing
    assert database_snapshot() == before


def _reopened(file):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file.seek(0)
    return SimpleUploadedFile(file.name, file.read(), content_type=file.content_type)

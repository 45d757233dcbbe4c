import json
import os

import pytest
from django.db import connection
from django.test import Client

IN_CI = bool(os.environ.get("CI"))


def _needs(request, marker: str, available: bool, why: str) -> None:
    if request.node.get_closest_marker(marker) and not available:
        if IN_CI:
            pytest.fail(f"{why} (in CI a missing service is a failure, not a skip)")
        pytest.skip(why)


@pytest.fixture(autouse=True)
def _services_required_by_markers(request):
    if request.node.get_closest_marker("postgres"):
        _needs(request, "postgres", connection.vendor == "postgresql",
               "needs PostgreSQL: set DATABASE_URL=postgres://…")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class GraphQLClient:
    """Posts GraphQL documents to /graphql/ the way any client would."""

    def __init__(self):
        self.client = Client()

    def post(self, query: str, variables: dict | None = None):
        response = self.client.post("/graphql/", data=json.dumps(
            {"query": query, "variables": variables or {}}), content_type="application/json")
        return response

    def execute(self, query: str, variables: dict | None = None) -> dict:
        response = self.post(query, variables)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        return body["data"]

    def errors(self, query: str, variables: dict | None = None) -> list[dict]:
        response = self.post(query, variables)
        assert response.status_code in (200, 400), response.content
        body = response.json()
        assert body.get("errors"), body
        return body["errors"]


@pytest.fixture
def gql(db):
    return GraphQLClient()


@pytest.fixture
def eur_rate(db):
    from tests.factories import ExchangeRateFactory

    return ExchangeRateFactory(currency="EUR", rate="2.0000")

"""Where a connection error (Redis's or PostgreSQL's) could still reach a client, the answer
holds a code and a fixed message, never the error's text: the API's top-level errors (with
DEBUG on or off: details are for the log), the storefront's pages and its error page, which
must not need the database it may have failed on.

The errors are raised where a bug or a future use of a service would raise them (a selector,
the session store), with the texts redis-py and psycopg really produce.
"""

import logging

import psycopg
import pytest
import redis
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from market.catalog import selectors
from tests.factories import listed_product

pytestmark = pytest.mark.django_db

REDIS_TEXT = "Error 111 connecting to 10.1.2.3:6380. Connection refused."
POSTGRES_TEXT = (
    'connection failed: connection to server at "10.1.2.3", port 5433 failed: Connection refused'
)
PRODUCTS = "{ products(first: 5) { edges { node { name } } } }"


def redis_down(*args, **kwargs):
    raise redis.exceptions.ConnectionError(REDIS_TEXT)


def postgres_down(*args, **kwargs):
    # What Django raises: its own OperationalError, caused by the driver's.
    try:
        raise psycopg.OperationalError(POSTGRES_TEXT)
    except psycopg.OperationalError as driver_error:
        raise OperationalError(POSTGRES_TEXT) from driver_error


def shows_error_text(text: str) -> bool:
    return any(
        needle in text
        for needle in ("Error 111", "Connection refused", "10.1.2.3", "6380", "5433", "Traceback")
    )


@pytest.mark.parametrize("debug", [False, True])
def test_a_redis_error_in_a_query_answers_internal_error_without_its_text(
    gql, monkeypatch, settings, caplog, debug
):
    settings.DEBUG = debug
    monkeypatch.setattr(selectors, "product_list_filtered", redis_down)

    with caplog.at_level(logging.ERROR, logger="market.graphql.core.errors"):
        response = gql.post(PRODUCTS)

    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "internal_error"
    assert error["message"] == "An internal error occurred; it has been logged."
    assert not shows_error_text(response.content.decode())
    assert REDIS_TEXT in caplog.text  # the log has it


@pytest.mark.parametrize("debug", [False, True])
def test_a_lost_database_connection_answers_503_service_unavailable_without_its_text(
    gql, monkeypatch, settings, caplog, debug
):
    settings.DEBUG = debug
    monkeypatch.setattr(selectors, "product_list_filtered", postgres_down)

    with caplog.at_level(logging.ERROR, logger="market.graphql.core.errors"):
        response = gql.post(PRODUCTS)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "service_unavailable"
    assert error["message"].startswith("The service lost its connection to the database")
    assert not shows_error_text(response.content.decode())
    assert POSTGRES_TEXT in caplog.text


def test_a_refused_statement_is_not_taken_for_an_outage(gql, monkeypatch):
    """A constraint the database enforces is a bug to look at, not a reason to retry."""

    def refused(*args, **kwargs):
        try:
            raise psycopg.errors.UniqueViolation("duplicate key value violates unique constraint")
        except psycopg.Error as driver_error:
            raise OperationalError("duplicate key") from driver_error

    monkeypatch.setattr(selectors, "product_list_filtered", refused)

    response = gql.post(PRODUCTS)

    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "internal_error"


@pytest.mark.parametrize("failure", [redis_down, postgres_down], ids=["redis", "postgres"])
def test_a_storefront_page_that_fails_on_a_service_is_the_plain_error_page(
    monkeypatch, settings, failure
):
    settings.DEBUG = False
    listed_product(name="Blue kilim")
    monkeypatch.setattr(selectors, "product_list_filtered", failure)
    client = Client(raise_request_exception=False)

    response = client.get("/products/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert not shows_error_text(page)


def test_the_error_page_does_not_need_the_database_it_failed_on(monkeypatch, settings):
    """Sessions live in the database: when it is gone, the page's session read fails, and the
    error page must not read it again (its context would fail the same way)."""
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    monkeypatch.setattr(SessionStore, "load", postgres_down)

    response = client.get("/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert not shows_error_text(page)

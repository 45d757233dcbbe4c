"""/healthz says the process is alive; /readyz says whether the database, the broker and the
cache answer, with their times, and never shows an error's text."""

import pytest

from tests.servers import redis_caches

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_asking_anything_else(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_is_ready_when_the_database_the_broker_and_the_cache_answer(client):
    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "broker", "cache"}
    assert all(check["ok"] and check["ms"] >= 0 for check in body["checks"].values())


def test_readyz_is_unavailable_when_the_cache_does_not_answer(client, settings):
    settings.CACHES = redis_caches("redis://127.0.0.1:1/0", timeout=0.2)

    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert "127.0.0.1" not in response.content.decode()
    assert "refused" not in response.content.decode().lower()


def test_readyz_names_the_sign_in_limits_redis_when_it_is_not_the_caches(client, settings):
    cache = settings.CACHES["default"]
    settings.CACHES = {
        "default": cache,
        "limits": redis_caches("redis://127.0.0.1:1/0", timeout=0.2)["limits"],
    }

    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["limits"]["ok"] is False
    assert body["checks"]["cache"]["ok"] is True
    assert "127.0.0.1" not in response.content.decode()


def test_readyz_asks_once_per_its_interval_and_answers_the_rest_from_that(
    client, settings, django_assert_num_queries
):
    ready = client.get("/readyz")  # asked afresh (the tests' setting is 0)
    settings.READYZ_CACHE_SECONDS = 60  # a slow machine must not see the look expire
    settings.CACHES = redis_caches("redis://127.0.0.1:1/0", timeout=0.2)

    with django_assert_num_queries(0):
        flood = [client.get("/readyz") for _ in range(20)]
    settings.READYZ_CACHE_SECONDS = 0
    after = client.get("/readyz")

    assert ready.status_code == 200
    assert {(r.status_code, r.content) for r in flood} == {(200, ready.content)}
    assert after.status_code == 503

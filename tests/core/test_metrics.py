"""/metrics: Prometheus's text format for whoever holds METRICS_TOKEN, nothing for anyone else;
GraphQL requests timed by the name of an operation that validated, other views by URL name;
gauges of the broker's queues and of failed payouts read at scrape time."""

import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

import market.core.metrics
from market.payouts.models import PayoutState
from tests.factories import PayoutFactory, paid_part

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-the-tests-0123456789"
PRODUCTS = "query Products { products(first: 1) { edges { node { id } } } }"


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN

    def scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200, response.content
        samples = {}
        for family in text_string_to_metric_families(response.content.decode()):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return samples

    return scrape


def _post_graphql(client, query: str, operation_name: str | None):
    body = {"query": query, "variables": {}}
    if operation_name is not None:
        body["operationName"] = operation_name
    return client.post("/graphql/", data=json.dumps(body), content_type="application/json")


def _graphql_count(samples, operation: str, outcome: str) -> float:
    key = (
        "market_graphql_request_seconds_count",
        (("operation", operation), ("outcome", outcome)),
    )
    return samples.get(key, 0.0)


def _operation_labels(samples) -> set[str]:
    return {
        dict(labels)["operation"]
        for name, labels in samples
        if name == "market_graphql_request_seconds_count"
    }


def test_metrics_is_not_found_without_the_token_or_with_a_wrong_one(client, settings):
    settings.METRICS_TOKEN = TOKEN

    anonymous = client.get("/metrics")
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    basic = client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})

    assert [anonymous.status_code, wrong.status_code, basic.status_code] == [404, 404, 404]
    assert b"market_" not in anonymous.content + wrong.content + basic.content


def test_metrics_serves_the_token_holder_in_prometheus_text_format(client, settings):
    settings.METRICS_TOKEN = TOKEN

    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "# TYPE market_graphql_request_seconds histogram" in response.content.decode()


def test_metrics_without_a_token_is_closed_in_production(client, settings):
    settings.METRICS_TOKEN = ""
    settings.DEBUG = False

    response = client.get("/metrics")

    assert response.status_code == 404


def test_metrics_without_a_token_serves_only_local_requests_in_the_demo(client, settings):
    settings.METRICS_TOKEN = ""
    settings.DEBUG = True

    local = client.get("/metrics")
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    remote = client.get("/metrics", REMOTE_ADDR="203.0.113.9")

    assert [local.status_code, proxied.status_code, remote.status_code] == [200, 404, 404]


def test_metrics_is_exempt_from_the_https_redirect(client, settings):
    settings.METRICS_TOKEN = TOKEN
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 200


def test_a_graphql_request_is_timed_under_its_operation_name(client, scrape):
    before = scrape()

    response = _post_graphql(client, PRODUCTS, "Products")

    assert response.status_code == 200, response.content
    after = scrape()
    assert _graphql_count(after, "Products", "ok") == _graphql_count(before, "Products", "ok") + 1


def test_an_answer_from_the_catalogue_cache_is_timed_under_its_operation_as_cached(
    client, scrape, catalogue_cache
):
    before = scrape()

    responses = [_post_graphql(client, PRODUCTS, "Products") for _ in range(4)]

    hits = sum(response.get("X-Catalogue-Cache") == "hit" for response in responses)
    assert hits >= 2
    after = scrape()
    assert _graphql_count(after, "Products", "cached") == (
        _graphql_count(before, "Products", "cached") + hits
    )
    assert _graphql_count(after, "Products", "ok") == (
        _graphql_count(before, "Products", "ok") + 4 - hits
    )


def test_an_operation_without_a_name_is_timed_as_anonymous(client, scrape):
    before = scrape()

    _post_graphql(client, "{ products(first: 1) { edges { node { id } } } }", None)

    after = scrape()
    assert _graphql_count(after, "anonymous", "ok") == _graphql_count(before, "anonymous", "ok") + 1


def test_a_bogus_operation_name_does_not_become_a_label(client, scrape):
    before = scrape()

    response = _post_graphql(client, PRODUCTS, "BogusOperationNameChosenByAClient")

    assert response.json()["errors"]
    after = scrape()
    assert "BogusOperationNameChosenByAClient" not in _operation_labels(after)
    assert _graphql_count(after, "other", "error") == _graphql_count(before, "other", "error") + 1


def test_the_name_of_an_operation_that_does_not_validate_does_not_become_a_label(client, scrape):
    before = scrape()

    response = _post_graphql(client, "query NoSuchFieldHere { noSuchField }", "NoSuchFieldHere")

    assert response.status_code == 400
    after = scrape()
    assert "NoSuchFieldHere" not in _operation_labels(after)
    assert _graphql_count(after, "other", "error") == _graphql_count(before, "other", "error") + 1


def test_operation_names_past_the_cap_are_timed_as_other(client, scrape, monkeypatch):
    monkeypatch.setattr(market.core.metrics, "MAX_OPERATION_LABELS", 0)
    monkeypatch.setattr(market.core.metrics, "_operation_names", set())
    query = "query ValidButOneTooMany { products(first: 1) { edges { node { id } } } }"
    before = scrape()

    _post_graphql(client, query, "ValidButOneTooMany")

    after = scrape()
    assert "ValidButOneTooMany" not in _operation_labels(after)
    assert _graphql_count(after, "other", "ok") == _graphql_count(before, "other", "ok") + 1


def test_other_views_are_timed_by_url_name_never_by_path(client, scrape):
    count = ("market_http_request_seconds_count", (("status", "2xx"), ("view", "healthz")))
    missing = ("market_http_request_seconds_count", (("status", "4xx"), ("view", "unresolved")))
    before = scrape()

    client.get("/healthz")
    client.get("/no-such-page-anywhere-12345/")

    after = scrape()
    assert after[count] == before.get(count, 0.0) + 1
    assert after.get(missing, 0.0) >= 1
    assert not any("no-such-page" in str(labels) for _, labels in after)


def test_queue_depth_counts_the_messages_waiting_on_the_broker(scrape):
    from workers.app import app

    app.control.purge()
    try:
        for _ in range(3):
            app.send_task("core.refresh_exchange_rates", queue="celery")
        for _ in range(2):
            app.send_task("payouts.sweep", queue="payouts")

        samples = scrape()
    finally:
        app.control.purge()

    assert samples[("market_queue_messages", (("queue", "celery"),))] == 3
    assert samples[("market_queue_messages", (("queue", "payouts"),))] == 2


def test_a_broker_that_does_not_answer_leaves_out_only_its_gauge(scrape, monkeypatch, caplog):
    from workers.app import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(app.conf, "broker_read_url", None)

    samples = scrape()

    assert not any(name == "market_queue_messages" for name, _ in samples)
    assert ("market_payouts_failed", ()) in samples
    assert "Metric market_queue_messages could not be read" in caplog.text


def test_failed_payouts_gauge_counts_the_payouts_that_failed(scrape):
    for status in (PayoutState.FAILED, PayoutState.FAILED, PayoutState.PAID, PayoutState.PENDING):
        PayoutFactory(order_part=paid_part(), status=status)

    samples = scrape()

    assert samples[("market_payouts_failed", ())] == 2


def test_outbox_lag_is_the_age_of_the_oldest_task_waiting_for_the_broker(scrape):
    import datetime as dt

    from django.utils import timezone

    from market.core.models import OutboxMessage

    assert scrape()[("market_outbox_lag_seconds", ())] == 0
    now = timezone.now()
    OutboxMessage.objects.create(
        task_name="core.send_email", available_at=now - dt.timedelta(seconds=90)
    )
    # Published, or not due yet: neither is lag.
    OutboxMessage.objects.create(
        task_name="core.send_email", available_at=now - dt.timedelta(days=1), sent_at=now
    )
    OutboxMessage.objects.create(
        task_name="core.send_email", available_at=now + dt.timedelta(hours=1)
    )

    lag = scrape()[("market_outbox_lag_seconds", ())]

    assert 90 <= lag < 150

"""Every request has an id (a new one; behind a load balancer that sets X-Request-ID, that one
when it looks safe),
returned in the response and carried by each log line; LOG_FORMAT=json writes one JSON object
per line."""

import json
import logging
import re

import pytest

from market.core.context import current_request_id, request_id_reset, request_id_set
from market.core.logs import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def _format(record: logging.LogRecord) -> dict:
    RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    return json.loads(line)


def _record(message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("market.test", logging.WARNING, __file__, 1, message, args, exc_info)


def test_a_request_without_an_id_gets_a_new_one_in_the_response(client):
    first = client.get("/healthz")
    second = client.get("/healthz")

    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_request_id_from_the_client_is_not_taken_by_default(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-2f9c.41_7A"})

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.fixture
def behind_a_load_balancer(settings):
    settings.REQUEST_ID_FROM_HEADER = True


@pytest.mark.usefixtures("behind_a_load_balancer")
def test_a_safe_request_id_from_the_load_balancer_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-2f9c.41_7A"})

    assert response["X-Request-ID"] == "lb-2f9c.41_7A"


@pytest.mark.parametrize(
    "given",
    ["short", "x" * 65, "has space in it", "semi;colon-abcdef", "<script>alert(1)</script>"],
)
@pytest.mark.usefixtures("behind_a_load_balancer")
def test_an_unsafe_request_id_from_the_load_balancer_is_replaced(client, given):
    response = client.get("/healthz", headers={"X-Request-ID": given})

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.usefixtures("behind_a_load_balancer")
def test_the_request_id_is_the_current_one_while_the_view_runs_and_cleared_after(
    client, monkeypatch
):
    import market.core.health

    seen = []
    original = market.core.health.JsonResponse

    def recording(*args, **kwargs):
        seen.append(current_request_id())
        return original(*args, **kwargs)

    monkeypatch.setattr(market.core.health, "JsonResponse", recording)

    response = client.get("/healthz", headers={"X-Request-ID": "abcdef0123456789"})

    assert seen == ["abcdef0123456789"]
    assert response["X-Request-ID"] == "abcdef0123456789"
    assert current_request_id() is None


def test_a_json_log_line_names_time_level_logger_message_and_request_id():
    token = request_id_set("req-0123456789")
    try:
        entry = _format(_record("Payout %s failed", 42))
    finally:
        request_id_reset(token)

    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry.pop("time"))
    assert entry == {
        "level": "WARNING",
        "logger": "market.test",
        "message": "Payout 42 failed",
        "request_id": "req-0123456789",
    }


def test_a_json_log_line_outside_a_request_has_no_request_id():
    entry = _format(_record("Beat started"))

    assert "request_id" not in entry


def test_a_json_log_line_keeps_the_exception_on_one_line():
    try:
        raise ValueError("the bank file is empty")
    except ValueError:
        import sys

        entry = _format(_record("Bank batch failed\nsecond line", exc_info=sys.exc_info()))

    assert entry["message"] == "Bank batch failed\nsecond line"
    assert entry["exc"].startswith("Traceback (most recent call last):")
    assert entry["exc"].endswith("ValueError: the bank file is empty")


def test_log_format_json_is_the_default_with_debug_off():
    import subprocess
    import sys

    script = (
        "import django, logging, json; django.setup(); "
        "from django.conf import settings; print(settings.LOG_FORMAT)"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "market.settings",
        "DJANGO_DEBUG": "false",
        "PATH": "/usr/bin:/bin",
    }
    answer = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )

    assert answer.stdout.strip() == "json"

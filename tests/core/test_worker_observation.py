"""A real worker process: the log lines of a task carry the id of the API request that queued
it, and its duration and failures reach the metrics (files shared through
PROMETHEUS_MULTIPROC_DIR, as gunicorn and the workers of one machine share them)."""

import json
import time

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from tests.celery_worker import worker_log

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RESET = 'mutation { requestPasswordReset(email: "nobody@example.com") { errors { code } } }'


def _json_lines(text: str) -> list[dict]:
    entries = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
    return entries


def _worker_samples(process) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(process.metrics_dir))
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in registry.collect()
        for sample in family.samples
    }


def _wait_for(condition, process, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"{what} after {seconds} s; worker log:\n{worker_log(process)}")


def test_the_log_lines_of_a_task_carry_the_request_id_of_the_request_that_queued_it(
    celery_worker_process, client
):
    response = client.post(
        "/graphql/",
        data=json.dumps({"query": RESET}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    request_id = response["X-Request-ID"]

    def task_lines():
        return [
            entry
            for entry in _json_lines(worker_log(celery_worker_process, whole=True))
            if entry.get("task") == "accounts.password_reset_email_send"
        ]

    lines = _wait_for(task_lines, celery_worker_process, "no JSON line of the task")
    assert {entry["request_id"] for entry in lines} == {request_id}
    assert all(entry["task_id"] and entry["level"] for entry in lines)
    assert any("succeeded" in entry["message"] for entry in lines)


def test_a_task_run_by_a_worker_is_timed_and_its_failure_counted(celery_worker_process):
    from workers.app import app

    failed = ("market_task_failures_total", (("task", "core.refresh_exchange_rates"),))
    timed = (
        "market_task_seconds_count",
        (("state", "failure"), ("task", "core.refresh_exchange_rates")),
    )
    before = _worker_samples(celery_worker_process)

    # A keyword the task does not take: it raises in the worker, as a bug would.
    app.send_task("core.refresh_exchange_rates", kwargs={"no_such_argument": 1})

    _wait_for(
        lambda: _worker_samples(celery_worker_process).get(failed, 0) > before.get(failed, 0),
        celery_worker_process,
        "no failure counted",
    )
    after = _worker_samples(celery_worker_process)
    assert after[failed] == before.get(failed, 0) + 1
    assert after[timed] == before.get(timed, 0) + 1

import json
import os

import pytest
from django.db import connection
from django.test import Client

from tests.celery_worker import celery_worker_process  # noqa: F401  (a shared fixture)

IN_CI = bool(os.environ.get("CI"))


def service_required(available: bool, why: str) -> None:
    """Skip the test when a service it needs is missing, but fail it in CI."""
    if not available:
        if IN_CI:
            pytest.fail(f"{why} (in CI a missing service is a failure, not a skip)")
        pytest.skip(why)


def _needs(request, marker: str, available: bool, why: str) -> None:
    if request.node.get_closest_marker(marker):
        service_required(available, why)


@pytest.fixture(autouse=True)
def _services_required_by_markers(request):
    if request.node.get_closest_marker("postgres"):
        _needs(
            request,
            "postgres",
            connection.vendor == "postgresql",
            "needs PostgreSQL: set DATABASE_URL=postgres://…",
        )


@pytest.fixture(autouse=True)
def _workers_idle_before_the_flush(request):
    # Torn down before pytest-django flushes the database: a real worker may still be running
    # the tasks the test's last step caused (a paid order's seller notice).
    yield
    if {"celery_worker_process", "outbox_worker"} & set(request.fixturenames):
        from tests.celery_worker import wait_until_workers_are_idle

        wait_until_workers_are_idle()


@pytest.fixture(autouse=True)
def _sign_in_limits_start_afresh():
    # Failed sign-ins and reset requests are counted in the cache per client address, and every
    # test client is 127.0.0.1: no test may inherit another's count (fuzzing fails many).
    from django.core.cache import caches

    from tests.servers import caches_forget_outages

    caches["default"].clear()
    caches["limits"].clear()
    caches_forget_outages()


@pytest.fixture
def redis_down(settings):
    """The cache points at a port where nothing listens, as when Redis has stopped (Django
    drops its cache connections when CACHES changes)."""
    from tests.servers import caches_forget_outages, redis_caches

    settings.CACHES = redis_caches("redis://127.0.0.1:1/0", timeout=0.2)
    caches_forget_outages()
    yield
    caches_forget_outages()


@pytest.fixture(autouse=True)
def _readiness_asked_afresh(settings):
    # /readyz answers from its last look for a second; each test asks about its own services
    # (tests/core/test_health.py turns it back on).
    settings.READYZ_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _catalogue_answers_not_kept(settings):
    # Tests build and change rows with factories, which bypass the services that drop kept
    # catalogue answers: only the tests of that cache turn it on (the ``catalogue_cache``
    # fixture, tests/graphql/test_catalogue_cache.py).
    settings.CATALOGUE_CACHE_SECONDS = 0


@pytest.fixture
def catalogue_cache(settings):
    """Anonymous catalogue answers kept in the shared cache, as in production (needs Redis)."""
    service_required(bool(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://…")
    settings.CATALOGUE_CACHE_SECONDS = 60


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class GraphQLClient:
    """Posts GraphQL documents to /graphql/ the way any client would, as ``user`` if given
    (with a real bearer access token)."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            from market.accounts.services import sign_in_create

            self.headers["Authorization"] = f"Bearer {sign_in_create(user=user).access_token}"

    def post(self, query: str, variables: dict | None = None):
        response = self.client.post(
            "/graphql/",
            data=json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json",
            headers=self.headers,
        )
        return response

    def upload(self, query: str, variables: dict, files: dict):
        """A multipart request (GraphQL multipart request spec): ``files`` maps a variable
        path such as ``"variables.image"`` to an uploaded file."""
        operations = json.dumps({"query": query, "variables": variables})
        mapping = json.dumps({str(i): [path] for i, path in enumerate(files)})
        data = {"operations": operations, "map": mapping}
        data.update({str(i): file for i, file in enumerate(files.values())})
        return self.client.post("/graphql/", data=data, headers=self.headers)

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
def gql_as(db):
    """``gql_as(user)``: a GraphQL client signed in as ``user`` (None: anonymous)."""
    return GraphQLClient


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class _RecordingTasks:
    """Stands in for the Celery app's task registry inside ``market.core.tasks``: a known task
    name gives a sender that records instead of sending (an unknown one still fails)."""

    def __init__(self, app, sent: list) -> None:
        self._app = app
        self._sent = sent

    def __getitem__(self, name: str):
        self._app.tasks[name]  # noqa: B018  (a misspelt task name must still fail the test)
        sent = self._sent

        class _Sender:
            @staticmethod
            def apply_async(args=None, kwargs=None, **options) -> None:
                sent.append((name, kwargs))

        return _Sender


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple[str, dict]]:
    """The tasks sent through ``market.core.tasks.enqueue_on_commit`` during the test, as
    (task name, kwargs), recorded when the transaction commits (run the hooks with
    ``django_capture_on_commit_callbacks(execute=True)``) instead of sent to the broker."""
    from types import SimpleNamespace

    from celery import current_app

    import market.core.tasks

    sent: list[tuple[str, dict]] = []
    app = current_app._get_current_object()
    monkeypatch.setattr(
        market.core.tasks, "current_app", SimpleNamespace(tasks=_RecordingTasks(app, sent))
    )
    return sent


@pytest.fixture
def clock():
    """The process's clock, stopped at the test's start: ``clock.shift(seconds)`` moves
    ``time.time()``, ``datetime`` and ``timezone.now()`` on, so a test lets a period pass
    without sleeping. Servers in other processes (PostgreSQL, Redis) keep their own time."""
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def eur_rate(db):
    from tests.factories import ExchangeRateFactory

    return ExchangeRateFactory(currency="EUR", rate="2.0000")


@pytest.fixture
def staff_client(client, db):
    """The admin, signed in as a superuser."""
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def eager_tasks():
    """Tasks queued after commit run inline (wrap the request in
    ``django_capture_on_commit_callbacks(execute=True)`` so the commit hooks fire)."""
    from workers.app import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before

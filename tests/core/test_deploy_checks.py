"""With DEBUG off the product refuses demo secrets and payments that take no money; the
production environment docs/operations.md documents passes ``check --deploy`` without a warning."""

import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Settings only: nothing here may reach the test database or the tests' Redis.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT")


def documented_production_environment() -> dict[str, str]:
    """The variables ``export``ed in docs/operations.md's "Running it for real", ``…`` filled
    with random values as an operator fills them with secrets of their own."""
    operations = (ROOT / "docs" / "operations.md").read_text()
    section = operations.split("## Running it for real", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    environment = {}
    for line in block.splitlines():
        if line.startswith("export "):
            for assignment in shlex.split(line)[1:]:
                name, _, value = assignment.partition("=")
                environment[name] = value.replace("…", secrets.token_urlsafe(50))
    return environment


def manage(*arguments: str, environment: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(environment, MARKET_VAR_DIR=str(tmp_path / "var"), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def deploy_check(environment: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    return manage(
        "check", "--deploy", "--fail-level", "WARNING", environment=environment, tmp_path=tmp_path
    )


@pytest.fixture
def production():
    return documented_production_environment()


def test_the_operations_guide_documents_a_production_environment_with_every_secret_set(production):
    assert production["DJANGO_DEBUG"] == "false"
    assert production["PAYMENT_GATEWAY"] == "stripe"
    assert {"DJANGO_SECRET_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"} <= set(production)


@pytest.mark.timeout(120)
def test_the_documented_production_environment_passes_the_deploy_check_without_warnings(
    production, tmp_path
):
    result = deploy_check(production, tmp_path)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


UNSAFE_VARIANTS = {
    "secret key unset": ({"DJANGO_SECRET_KEY": None}, "market.E001"),
    "secret key the demo's": (
        {"DJANGO_SECRET_KEY": "insecure-demo-key-change-me-in-production"},
        "market.E001",
    ),
    "secret key from startproject": (
        {"DJANGO_SECRET_KEY": "django-insecure-" + "x1y2z3" * 10},
        "market.E001",
    ),
    "stripe key unset": ({"STRIPE_SECRET_KEY": None}, "market.E002"),
    "stripe key the demo's": ({"STRIPE_SECRET_KEY": "sk_test_local"}, "market.E002"),
    "webhook secret unset": ({"STRIPE_WEBHOOK_SECRET": None}, "market.E003"),
    "webhook secret empty": ({"STRIPE_WEBHOOK_SECRET": ""}, "market.E003"),
    "webhook secret the demo's": ({"STRIPE_WEBHOOK_SECRET": "whsec_local"}, "market.E003"),
    "connect webhook secret the demo's": (
        {"STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_local"},
        "market.E004",
    ),
    "dummy gateway by default": (
        {"PAYMENT_GATEWAY": None, "PAYMENT_GATEWAYS": None},
        "market.E005",
    ),
    "dummy among the gateways": ({"PAYMENT_GATEWAYS": "stripe,dummy"}, "market.E005"),
    "stripe test-mode key": ({"STRIPE_SECRET_KEY": "sk_test_" + "a" * 24}, "market.E006"),
    "dummy on a staging demo": (
        {"PAYMENT_GATEWAY": "dummy", "PAYMENT_ALLOW_TEST_PAYMENTS": "true"},
        "market.W005",
    ),
    "no HTTPS redirect": ({"DJANGO_SECURE_SSL_REDIRECT": "false"}, "security.W008"),
    "no HSTS": ({"DJANGO_SECURE_HSTS_SECONDS": "0"}, "security.W004"),
    "session cookie over HTTP": ({"DJANGO_SESSION_COOKIE_SECURE": "false"}, "security.W012"),
    "CSRF cookie over HTTP": ({"DJANGO_CSRF_COOKIE_SECURE": "false"}, "security.W016"),
    "no Content-Security-Policy": ({"MARKET_CONTENT_SECURITY_POLICY": ""}, "market.W003"),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("change, error_id", UNSAFE_VARIANTS.values(), ids=UNSAFE_VARIANTS)
def test_an_unsafe_production_setting_fails_the_deploy_check_naming_it(
    production, tmp_path, change, error_id
):
    for name, value in change.items():
        if value is None:
            production.pop(name, None)
        else:
            production[name] = value

    result = deploy_check(production, tmp_path)

    assert result.returncode != 0
    assert f"({error_id})" in result.stderr


@pytest.mark.timeout(120)
def test_the_demo_defaults_fail_the_deploy_check_with_errors_not_warnings(tmp_path):
    result = manage("check", "--deploy", environment={"DJANGO_DEBUG": "false"}, tmp_path=tmp_path)

    assert result.returncode != 0
    errors = result.stderr.split("WARNINGS:")[0]
    for error_id in ("market.E001", "market.E002", "market.E003", "market.E005"):
        assert f"({error_id})" in errors


@pytest.mark.timeout(120)
def test_a_staging_demo_passes_the_ordinary_deploy_check_with_warnings(production, tmp_path):
    production.update(
        PAYMENT_GATEWAY="dummy", PAYMENT_GATEWAYS="dummy", PAYMENT_ALLOW_TEST_PAYMENTS="true"
    )

    result = manage("check", "--deploy", environment=production, tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "(market.W005)" in result.stderr


@pytest.mark.timeout(120)
def test_with_debug_on_the_demo_defaults_raise_no_market_error(tmp_path):
    result = manage("check", "--deploy", environment={}, tmp_path=tmp_path)

    assert "market.E" not in result.stdout + result.stderr


LOAD_WSGI = ["shell", "-c", "import market.wsgi; print('serving')"]


@pytest.mark.timeout(120)
def test_the_wsgi_application_refuses_to_start_on_demo_secrets(production, tmp_path):
    production["STRIPE_WEBHOOK_SECRET"] = "whsec_local"

    result = manage(*LOAD_WSGI, environment=production, tmp_path=tmp_path)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "market.E003" in result.stderr
    assert "serving" not in result.stdout


@pytest.mark.timeout(120)
def test_the_wsgi_application_starts_with_the_production_environment(production, tmp_path):
    result = manage(*LOAD_WSGI, environment=production, tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "serving" in result.stdout


@pytest.mark.timeout(120)
def test_a_celery_worker_refuses_to_start_on_demo_secrets(production, tmp_path):
    production["STRIPE_WEBHOOK_SECRET"] = "whsec_local"
    for name in ("DATABASE_URL", "REDIS_URL"):  # the file broker: nothing to reach
        production.pop(name)
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(production, MARKET_VAR_DIR=str(tmp_path / "var"))

    # On the old code the worker starts and serves: the timeout ends the test as a failure.
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "workers.app",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "market.E003" in result.stderr


@pytest.mark.django_db
def test_the_admin_answers_with_a_content_security_policy(client, settings):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == settings.MARKET_CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_graphiql_answers_with_the_content_security_policy_as_its_files_are_ours(client, settings):
    settings.GRAPHQL_GRAPHIQL = True

    response = client.get("/graphql/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert b'id="graphiql"' in response.content
    assert response["Content-Security-Policy"] == settings.MARKET_CONTENT_SECURITY_POLICY


def test_environments_on_two_databases_sharing_a_redis_keep_apart_cache_keys(tmp_path):
    show_key = ("shell", "-c", "from django.core.cache import cache; print(cache.make_key('k'))")
    keys = {
        manage(
            *show_key,
            environment={
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
                "REDIS_URL": "redis://127.0.0.1:6379/3",
            },
            tmp_path=tmp_path,
        )
        .stdout.strip()
        .splitlines()[-1]
        for name in ("market_staging", "market_bench")
    }

    assert len(keys) == 2
    assert all(key.endswith(":k") and key.startswith("market_") for key in keys)


def test_moving_the_cache_to_a_redis_of_its_own_leaves_the_sign_in_limits_behind(tmp_path):
    """The cache's Redis may be capped and evict; the limits' counters must not follow it there
    unless told to."""
    show = (
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.CACHES['default']['LOCATION'], settings.CACHES['limits']['LOCATION'])",
    )
    base = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/market_staging",
        "REDIS_URL": "redis://queues:6379/0",
    }

    def locations(**environment: str) -> list[str]:
        result = manage(*show, environment={**base, **environment}, tmp_path=tmp_path)
        return result.stdout.strip().splitlines()[-1].split()

    assert locations() == ["redis://queues:6379/1", "redis://queues:6379/1"]
    assert locations(REDIS_CACHE_URL="redis://cache:6379/0") == [
        "redis://cache:6379/0",
        "redis://queues:6379/1",
    ]
    assert locations(REDIS_LIMITS_URL="redis://limits:6379/0") == [
        "redis://queues:6379/1",
        "redis://limits:6379/0",
    ]

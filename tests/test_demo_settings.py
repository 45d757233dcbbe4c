"""The embedded demo (``make run``: SQLite, the file-system broker, a worker beside the API)
works beside a test run in the same checkout, and its SQLite takes concurrent writers."""

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections, transaction

from tests.concurrency import race

ROOT = Path(__file__).resolve().parents[1]


def demo_settings(module: str, *names: str) -> dict:
    """``names`` as the settings ``module`` gives them with nothing configured (the demo)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
    }
    env["DJANGO_SETTINGS_MODULE"] = module
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, "
        "default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_test_run_and_the_demo_use_different_broker_folders():
    demo = demo_settings("market.settings", "CELERY_BROKER_URL", "CELERY_BROKER_TRANSPORT_OPTIONS")
    tests = demo_settings("tests.settings", "CELERY_BROKER_URL", "CELERY_BROKER_TRANSPORT_OPTIONS")

    assert demo["CELERY_BROKER_URL"] == tests["CELERY_BROKER_URL"] == "filesystem://"
    folders = ("data_folder_in", "data_folder_out", "control_folder")
    demo_folders = {demo["CELERY_BROKER_TRANSPORT_OPTIONS"][key] for key in folders}
    test_folders = {tests["CELERY_BROKER_TRANSPORT_OPTIONS"][key] for key in folders}
    assert demo_folders.isdisjoint(test_folders)
    assert all(Path(folder).is_relative_to(Path(settings.VAR_DIR)) for folder in demo_folders)


def test_the_demo_sqlite_database_uses_wal_immediate_transactions_and_a_busy_timeout():
    demo = demo_settings("market.settings", "DATABASES")

    options = demo["DATABASES"]["default"]["OPTIONS"]
    assert demo["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert options == settings.SQLITE_OPTIONS
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert options["timeout"] >= 5


@pytest.fixture
def demo_sqlite(tmp_path, django_db_blocker):
    """A database alias on a SQLite file configured as the demo's."""
    alias = "demo_sqlite"
    connections.settings[alias] = connections.configure_settings(
        {
            "default": settings.DATABASES["default"],
            alias: {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(tmp_path / "demo.sqlite3"),
                "OPTIONS": settings.SQLITE_OPTIONS,
            },
        }
    )[alias]
    with django_db_blocker.unblock():
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE sale (buyer integer)")
        connections[alias].close()
        yield alias
    del connections.settings[alias]


@pytest.mark.timeout(120)
def test_two_threads_that_read_then_write_the_demo_sqlite_at_once_both_commit(demo_sqlite):
    # Both read inside their transaction, then write: the pattern of a checkout or a task. In
    # a deferred transaction the second writer is refused at once ("database is locked").
    both_have_read = threading.Barrier(2, timeout=5)

    def buy(buyer: int) -> None:
        try:
            with transaction.atomic(using=demo_sqlite):
                with connections[demo_sqlite].cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM sale")
                    try:
                        both_have_read.wait()
                    except threading.BrokenBarrierError:
                        pass  # the other is waiting for the write lock: what we want
                    cursor.execute("INSERT INTO sale (buyer) VALUES (%s)", [buyer])
        finally:
            connections[demo_sqlite].close()

    outcomes = race(lambda: buy(1), lambda: buy(2))

    assert [repr(o) for o in outcomes if isinstance(o, Exception)] == []
    with connections[demo_sqlite].cursor() as cursor:
        cursor.execute("SELECT buyer FROM sale ORDER BY buyer")
        assert cursor.fetchall() == [(1,), (2,)]
    connections[demo_sqlite].close()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_on_another_port_links_its_emails_to_that_port():
    env = {key: value for key, value in os.environ.items() if key != "MARKET_STOREFRONT_URL"}

    plan = subprocess.run(
        ["make", "--dry-run", "run", "PORT=8123"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    worker = plan[plan.index("celery -A workers.app worker") - 80 :]
    assert "MARKET_STOREFRONT_URL='http://127.0.0.1:8123'" in worker.split("& worker=")[0]
    [runserver] = [line for line in plan.splitlines() if "manage.py runserver" in line]
    assert runserver.startswith("MARKET_STOREFRONT_URL='http://127.0.0.1:8123' ")
    assert runserver.endswith("runserver 127.0.0.1:8123")

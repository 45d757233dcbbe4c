"""localstripe (PyPI, GPL) as an independent Stripe-compatible server for interop tests.

It runs only as a separate process (``localstripe --port N``) and is never imported. What of
our code works against localstripe 1.15.10, found by running it:

- its signed webhooks pass our verification, and our endpoint stores and applies them;
- ``StripeGateway.confirm`` reads its PaymentIntents, and ``StripeGateway.refund`` refunds them.

What does not: ``StripeGateway.start`` (localstripe answers 400 "Unexpected transfer_group,
description"), idempotency keys (ignored: the same key makes a second object), the decline
card 4000000000000002 (charged successfully; only 4000000000000341 is declined) and
``charge.refunded`` events (never sent). Those stay with our own server, tests/stripe_server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.servers import free_port

START_TIMEOUT_SECONDS = 20


def _executable() -> str | None:
    beside_python = Path(sys.executable).with_name("localstripe")
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("localstripe")


class LocalStripe:
    """A running localstripe process: its API address, its webhook settings and its log."""

    def __init__(self, *, port: int, log_path: Path, process: subprocess.Popen):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process = process

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def answers(self, api_key: str) -> bool:
        request = urllib.request.Request(
            f"{self.url}/v1/payment_intents", headers={"Authorization": f"Bearer {api_key}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def register_webhook(
        self, name: str, *, url: str, secret: str, events: list[str] | None = None
    ) -> None:
        """Have localstripe sign every event (or those of ``events``) with ``secret`` and
        post it to ``url``; registering ``name`` again replaces it."""
        body = {"url": url, "secret": secret}
        if events is not None:
            body["events"] = events
        request = urllib.request.Request(
            f"{self.url}/_config/webhooks/{name}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200, response.read()

    def wait_for_log(self, text: str, *, count: int = 1, timeout: float = 15) -> None:
        """Wait until ``text`` appears ``count`` times in the log (webhook deliveries are
        logged there, with the answer our endpoint gave)."""
        deadline = time.monotonic() + timeout
        while self.log().count(text) < count:
            if time.monotonic() > deadline:
                pytest.fail(
                    f"localstripe did not log {text!r} {count} time(s) in {timeout}s; "
                    f"its log:\n{self.log()[-4000:]}"
                )
            time.sleep(0.1)


def _unavailable(why: str, log_path: Path | None = None) -> None:
    if log_path is not None and log_path.exists():
        why += f"\nlocalstripe's output:\n{log_path.read_text(errors='replace')[-4000:]}"
    if os.environ.get("CI"):
        pytest.fail(f"{why} (in CI a missing localstripe is a failure, not a skip)")
    pytest.skip(why)


@pytest.fixture
def localstripe(tmp_path, settings):
    """A fresh localstripe process on a free port, stopped after the test (webhook settings
    live in its memory, so each test gets its own)."""
    executable = _executable()
    if executable is None:
        _unavailable("localstripe is not installed: pip install -e .[dev]")
    port = free_port()
    log_path = tmp_path / "localstripe.log"
    with log_path.open("wb") as log:
        # --from-scratch: never load the state another localstripe left in /tmp.
        process = subprocess.Popen(
            [executable, "--port", str(port), "--from-scratch"],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    server = LocalStripe(port=port, log_path=log_path, process=process)
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not server.answers(settings.STRIPE_SECRET_KEY):
            if process.poll() is not None:
                _unavailable(f"localstripe exited with code {process.returncode}", log_path)
            if time.monotonic() > deadline:
                _unavailable(
                    f"localstripe did not answer on port {port} within {START_TIMEOUT_SECONDS}s",
                    log_path,
                )
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def stripe_on_localstripe(localstripe, settings):
    """Buyers pay through Stripe, and our SDK client talks to ``localstripe``."""
    settings.STRIPE_API_BASE = localstripe.url
    settings.PAYMENT_GATEWAY = "stripe"
    settings.PAYMENT_GATEWAYS = ["stripe"]
    return localstripe

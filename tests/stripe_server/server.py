"""A small Stripe-compatible HTTP server for the Connect endpoints we use, for tests.

It speaks Stripe's wire format (form-encoded requests with nested keys such as
``capabilities[transfers][requested]=true``, JSON objects with ``object`` and ``id``, errors as
``{"error": {"type", "code", "message", "param"}}``), checks the bearer secret key and keeps
Stripe's idempotency rules: a successful POST is remembered by its ``Idempotency-Key`` and the
same key with the same parameters replays the same response, while the same key with other
parameters is refused with an ``idempotency_error``. ``localstripe`` has no Connect, and is GPL:
this one is ours.

Implemented: ``POST /v1/accounts``, ``GET /v1/accounts/{id}``, ``POST /v1/account_links``,
``POST /v1/transfers``, ``GET /v1/transfers/{id}``, ``POST /v1/transfers/{id}/reversals``,
PaymentIntents (``payment_intents.py``) and ``POST /v1/refunds`` (``refunds.py``).
Tests can make the next request to a path fail, its response be dropped after the work was done,
or its response be delayed (to kill a client while it waits).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from tests.stripe_server import payment_intents, refunds

# Countries in which this server (like Stripe) opens Express accounts.
SUPPORTED_COUNTRIES = frozenset(
    {
        "AE",
        "AT",
        "AU",
        "BE",
        "BG",
        "BR",
        "CA",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GB",
        "GI",
        "GR",
        "HK",
        "HR",
        "HU",
        "IE",
        "IT",
        "JP",
        "LI",
        "LT",
        "LU",
        "LV",
        "MT",
        "MX",
        "MY",
        "NL",
        "NO",
        "NZ",
        "PL",
        "PT",
        "RO",
        "SE",
        "SG",
        "SI",
        "SK",
        "TH",
        "US",
    }
)
ACCOUNT_LINK_TTL_SECONDS = 300
# What a freshly created Express account still has to provide before Stripe pays it out.
INITIAL_REQUIREMENTS = [
    "business_type",
    "external_account",
    "individual.first_name",
    "individual.last_name",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]


class StripeApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.body = {
            "error": {
                "type": type,
                "message": message,
                **({"code": code} if code else {}),
                **({"param": param} if param else {}),
            }
        }


def decode_form(body: str) -> dict:
    """Stripe's form encoding back into nested dicts and lists (``a[b][0]=x``)."""
    result: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists_from_indexed_dicts(result)


def _lists_from_indexed_dicts(value):
    if isinstance(value, dict):
        value = {k: _lists_from_indexed_dicts(v) for k, v in value.items()}
        if value and all(k.isdigit() for k in value):
            return [value[k] for k in sorted(value, key=int)]
    return value


@dataclass
class Call:
    method: str
    path: str
    params: dict
    idempotency_key: str | None
    status: int
    replayed: bool = False


@dataclass
class StripeState:
    api_key: str
    accounts: dict[str, dict] = field(default_factory=dict)
    account_links: list[dict] = field(default_factory=list)
    transfers: dict[str, dict] = field(default_factory=dict)
    payment_intents: dict[str, dict] = field(default_factory=dict)
    refunds: dict[str, dict] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    # (method, path, key) -> (params, status, body)
    idempotent: dict[tuple, tuple] = field(default_factory=dict)
    # path -> how many of the next successful POSTs to it are processed but never answered
    drop_responses: dict[str, int] = field(default_factory=dict)
    # path -> the errors to answer the next requests to it with, one each
    fail_next: dict[str, list[StripeApiError]] = field(default_factory=dict)
    # path -> seconds to wait before answering the next POST to it (after doing the work)
    delay_responses: dict[str, float] = field(default_factory=dict)


class StripeServer:
    """``with StripeServer() as server:`` listens on a free port of 127.0.0.1 in a thread."""

    def __init__(self, *, api_key: str = "sk_test_local", port: int = 0):
        self.state = StripeState(api_key=api_key)
        self.port = port
        # Seconds every answer waits after the work is done: Stripe's own latency (hundreds of
        # milliseconds), for runs of the real processes (``--latency``).
        self.latency = 0.0
        self.lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- life ---------------------------------------------------------------------------------

    def start(self) -> StripeServer:
        handler = type("Handler", (_Handler,), {"server_state": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, daemon=True, name="stripe-server"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def reset(self, *, api_key: str | None = None) -> None:
        with self.lock:
            self.state = StripeState(api_key=api_key or self.state.api_key)

    # --- what tests ask and arrange -------------------------------------------------------

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [c for c in self.state.calls if c.method == method and c.path == path]

    @property
    def accounts(self) -> dict[str, dict]:
        return self.state.accounts

    @property
    def transfers(self) -> dict[str, dict]:
        return self.state.transfers

    def delay_next_response(self, path: str, seconds: float) -> None:
        """Do the work of the next POST to ``path`` at once but answer only ``seconds`` later,
        so that a test can kill the client in between."""
        self.state.delay_responses[path] = seconds

    def drop_next_response(self, path: str, times: int = 1) -> None:
        """Process the next POST to ``path`` but close the connection without answering,
        as when the network fails after Stripe did the work."""
        self.state.drop_responses[path] = times

    def fail_next_request(
        self,
        path: str,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        times: int = 1,
    ) -> None:
        """Refuse the next ``times`` requests to ``path`` (the SDK retries a 5xx itself)."""
        self.state.fail_next[path] = [
            StripeApiError(status, message, type=type, code=code) for _ in range(times)
        ]

    def update_account(self, account_id: str, **changes) -> dict:
        """Change an account as Stripe would after the seller onboards; returns it."""
        with self.lock:
            account = self.state.accounts[account_id]
            requirements = changes.pop("requirements", None)
            account.update(changes)
            if requirements is not None:
                account["requirements"].update(requirements)
            return json.loads(json.dumps(account))

    # --- the API ------------------------------------------------------------------------------

    def handle(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        if method == "POST" and path == "/v1/accounts":
            return 200, self._account_create(params)
        match = re.fullmatch(r"/v1/accounts/([A-Za-z0-9_]+)", path)
        if method == "GET" and match:
            return 200, self._account(match.group(1))
        if method == "POST" and path == "/v1/account_links":
            return 200, self._account_link_create(params)
        if method == "POST" and path == "/v1/transfers":
            return 200, self._transfer_create(params)
        if method == "GET" and path == "/v1/transfers":
            return 200, self._list(path, self.state.transfers, params, "destination")
        match = re.fullmatch(r"/v1/transfers/([A-Za-z0-9_]+)", path)
        if method == "GET" and match:
            return 200, self._transfer(match.group(1))
        match = re.fullmatch(r"/v1/transfers/([A-Za-z0-9_]+)/reversals", path)
        if method == "POST" and match:
            return 200, self._transfer_reverse(match.group(1), params)
        if method == "GET" and path == "/v1/payment_intents":
            return 200, self._list(path, self.state.payment_intents, params)
        if path.startswith("/v1/payment_intents"):
            return payment_intents.handle(self, method, path, params)
        if path.startswith("/v1/refunds"):
            return refunds.handle(self, method, path, params)
        raise StripeApiError(404, f"Unrecognized request URL ({method}: {path}).")

    def _list(self, path: str, store: dict, params: dict, filter_by: str | None = None) -> dict:
        """A page of ``store`` in Stripe's list shape, newest first (``limit`` up to 100,
        ``starting_after``); ``filter_by`` names a field a request may filter on."""
        limit = params.get("limit", "10")
        if not limit.isdigit() or not 1 <= int(limit) <= 100:
            raise StripeApiError(400, "Invalid integer: limit", param="limit")
        items = list(reversed(store.values()))
        if filter_by and params.get(filter_by):
            items = [item for item in items if item.get(filter_by) == params[filter_by]]
        after = params.get("starting_after")
        if after:
            ids = [item["id"] for item in items]
            if after not in ids:
                raise StripeApiError(
                    400,
                    f"No such object: '{after}'",
                    code="resource_missing",
                    param="starting_after",
                )
            items = items[ids.index(after) + 1 :]
        page = items[: int(limit)]
        return {"object": "list", "url": path, "has_more": len(items) > len(page), "data": page}

    def _account(self, account_id: str | None, *, param: str | None = None) -> dict:
        account = self.state.accounts.get(account_id or "")
        if account is None:
            raise StripeApiError(
                404 if param is None else 400,
                f"No such account: '{account_id}'",
                code="resource_missing",
                param=param,
            )
        return account

    def _account_create(self, params: dict) -> dict:
        account_type = params.get("type", "standard")
        if account_type not in {"standard", "express", "custom"}:
            raise StripeApiError(
                400, "Invalid type: must be one of standard, express, or custom", param="type"
            )
        country = params.get("country", "US")
        if country not in SUPPORTED_COUNTRIES:
            raise StripeApiError(
                400,
                f"Country '{country}' is unknown or not supported for connected accounts.",
                param="country",
            )
        requested = {
            name: "inactive"
            for name, options in (params.get("capabilities") or {}).items()
            if isinstance(options, dict) and options.get("requested") == "true"
        }
        account = {
            "id": f"acct_{secrets.token_hex(8)}",
            "object": "account",
            "type": account_type,
            "country": country,
            "email": params.get("email"),
            "business_type": params.get("business_type"),
            "capabilities": requested,
            "charges_enabled": False,
            "payouts_enabled": False,
            "details_submitted": False,
            "default_currency": "eur",
            "metadata": params.get("metadata") or {},
            "requirements": {
                "currently_due": list(INITIAL_REQUIREMENTS),
                "eventually_due": list(INITIAL_REQUIREMENTS),
                "past_due": [],
                "pending_verification": [],
                "errors": [],
                "current_deadline": None,
                "disabled_reason": "requirements.past_due",
            },
            "created": int(time.time()),
            "livemode": False,
        }
        self.state.accounts[account["id"]] = account
        return account

    def _account_link_create(self, params: dict) -> dict:
        for name in ("account", "type", "refresh_url", "return_url"):
            if not params.get(name):
                raise StripeApiError(
                    400, f"Missing required param: {name}.", code="parameter_missing", param=name
                )
        if params["type"] not in {"account_onboarding", "account_update"}:
            raise StripeApiError(
                400,
                "Invalid type: must be one of account_onboarding or account_update",
                param="type",
            )
        account = self._account(params["account"], param="account")
        now = int(time.time())
        link = {
            "object": "account_link",
            "created": now,
            "expires_at": now + ACCOUNT_LINK_TTL_SECONDS,
            "url": f"{self.url}/setup/e/{account['id']}/{secrets.token_urlsafe(12)}",
        }
        self.state.account_links.append(link)
        return link

    def _transfer(self, transfer_id: str) -> dict:
        transfer = self.state.transfers.get(transfer_id)
        if transfer is None:
            raise StripeApiError(
                404, f"No such transfer: '{transfer_id}'", code="resource_missing", param="id"
            )
        return transfer

    def _transfer_create(self, params: dict) -> dict:
        for name in ("amount", "currency", "destination"):
            if not params.get(name):
                raise StripeApiError(
                    400, f"Missing required param: {name}.", code="parameter_missing", param=name
                )
        if not params["amount"].isdigit() or int(params["amount"]) <= 0:
            raise StripeApiError(
                400, "Invalid positive integer", code="parameter_invalid_integer", param="amount"
            )
        self._account(params["destination"], param="destination")
        transfer_id = f"tr_{secrets.token_hex(8)}"
        transfer = {
            "id": transfer_id,
            "object": "transfer",
            "amount": int(params["amount"]),
            "amount_reversed": 0,
            "currency": params["currency"].lower(),
            "destination": params["destination"],
            "source_transaction": params.get("source_transaction"),
            "transfer_group": params.get("transfer_group"),
            "description": params.get("description"),
            "metadata": params.get("metadata") or {},
            "reversed": False,
            "reversals": {
                "object": "list",
                "data": [],
                "has_more": False,
                "url": f"/v1/transfers/{transfer_id}/reversals",
            },
            "created": int(time.time()),
            "livemode": False,
        }
        self.state.transfers[transfer_id] = transfer
        return transfer

    def _transfer_reverse(self, transfer_id: str, params: dict) -> dict:
        transfer = self._transfer(transfer_id)
        remaining = transfer["amount"] - transfer["amount_reversed"]
        amount = int(params.get("amount") or remaining)
        if amount <= 0 or amount > remaining:
            raise StripeApiError(
                400, f"Transfer {transfer_id} has only {remaining} left to reverse.", param="amount"
            )
        reversal = {
            "id": f"trr_{secrets.token_hex(8)}",
            "object": "transfer_reversal",
            "amount": amount,
            "currency": transfer["currency"],
            "transfer": transfer_id,
            "metadata": params.get("metadata") or {},
            "created": int(time.time()),
        }
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        transfer["reversals"]["data"].append(reversal)
        return reversal


class _Handler(BaseHTTPRequestHandler):
    server_state: StripeServer
    protocol_version = "HTTP/1.1"
    # One segment per answer: a kept-open connection must not wait 40 ms on a delayed ACK.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_DELETE(self):
        self._serve("DELETE")

    def _serve(self, method: str):
        stripe = self.server_state
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        params = decode_form(body if method == "POST" else split.query)
        key = self.headers.get("Idempotency-Key") if method == "POST" else None
        with stripe.lock:
            status, payload, replayed = self._respond(method, split.path, params, key)
            stripe.state.calls.append(Call(method, split.path, params, key, status, replayed))
            drop = (
                method == "POST"
                and status == 200
                and not replayed
                and stripe.state.drop_responses.get(split.path, 0) > 0
            )
            if drop:
                stripe.state.drop_responses[split.path] -= 1
            delay = (
                stripe.state.delay_responses.pop(split.path, 0)
                if method == "POST" and status == 200 and not replayed
                else 0
            )
        if delay or stripe.latency:
            time.sleep(delay or stripe.latency)
        if drop:
            self.close_connection = True
            return
        try:
            self._answer(status, payload, key, replayed)
        except (BrokenPipeError, ConnectionResetError):
            # The client died while waiting (a killed worker): Stripe did the work regardless.
            self.close_connection = True

    def _answer(self, status: int, payload: dict, key: str | None, replayed: bool) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", f"req_{secrets.token_hex(7)}")
        if key:
            self.send_header("Idempotency-Key", key)
        if replayed:
            self.send_header("Idempotent-Replayed", "true")
        self.end_headers()
        self.wfile.write(data)

    def _respond(self, method, path, params, key) -> tuple[int, dict, bool]:
        stripe = self.server_state
        auth = self.headers.get("Authorization", "")
        if auth != f"Bearer {stripe.state.api_key}":
            shown = auth.removeprefix("Bearer ")
            return 401, StripeApiError(401, f"Invalid API Key provided: {shown[:12]}…").body, False
        if key is not None:
            remembered = stripe.state.idempotent.get((method, path, key))
            if remembered is not None:
                first_params, status, payload = remembered
                if first_params != params:
                    return (
                        400,
                        StripeApiError(
                            400,
                            f"Keys for idempotent requests can only be used with the same "
                            f"parameters they were first used with. Try using a key other than "
                            f"'{key}' if you meant to execute a different request.",
                            type="idempotency_error",
                        ).body,
                        False,
                    )
                return status, payload, True
        try:
            failures = stripe.state.fail_next.get(path)
            if failures:
                raise failures.pop()
            status, payload = stripe.handle(method, path, params)
        except StripeApiError as error:
            # Like Stripe, a request refused before it ran leaves its key unused.
            return error.status, error.body, False
        if key is not None:
            stripe.state.idempotent[(method, path, key)] = (params, status, payload)
        return status, json.loads(json.dumps(payload)), False


def webhook_event(
    type: str,
    obj: dict,
    *,
    created: int | None = None,
    account: str | None = None,
    event_id: str | None = None,
) -> dict:
    """A Stripe event as Stripe posts it to a webhook endpoint."""
    return {
        "id": event_id or f"evt_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": int(time.time()) if created is None else created,
        "data": {"object": obj, "previous_attributes": {}},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type,
        **({"account": account} if account else {}),
    }

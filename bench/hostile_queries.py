"""Hostile requests to /graphql/: how long each refusal takes, and the code it answers with.

Each attack of issue 9's items 1, 2 and 9 (a query built to stop the API, schema discovery in
production, malformed bodies) is sent a few times; the median time of the answer is printed
with its HTTP status and error codes. It asserts nothing; a 500 or a slow answer is a finding.

    .venv/bin/python bench/hostile_queries.py                      # in-process, DEBUG off
    .venv/bin/python bench/hostile_queries.py --url http://127.0.0.1:8000/graphql/
    .venv/bin/python bench/hostile_queries.py --repeat 5

In-process, the project's WSGI application answers in this process with ``DJANGO_DEBUG=false``
(production defaults: no introspection, no GraphiQL, no suggestions) and whatever database
``DATABASE_URL`` names; every attack is refused before the database is asked, so none is needed.
With ``--url`` the requests go over HTTP to a running server (start it with DEBUG off).
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import secrets
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Attack:
    item: str
    name: str
    body: bytes
    content_type: str = "application/json"
    method: str = "POST"
    headers: tuple[tuple[str, str], ...] = ()


def graphql(query: str, variables: dict | None = None, **extra) -> bytes:
    # A comment of its own per send: the server's parse cache must not answer for it.
    query = f"{query}\n# {uuid.uuid4().hex}"
    return json.dumps({"query": query, "variables": variables, **extra}).encode()


def multipart(operations: dict, mapping: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        ("operations", None, json.dumps(operations).encode()),
        ("map", None, json.dumps(mapping).encode()),
        ("0", "a.csv", b"sku,name\n"),
    ]
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += (
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def attacks() -> list[Attack]:
    fragment_bomb = (
        "query { ...F0 }\n"
        + "".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}\n" for i in range(24))
        + "fragment F24 on Query { __typename }"
    )
    schema_300 = (
        "{ "
        + " ".join(
            f"s{i}: __schema {{ types {{ name fields {{ name type {{ name }} }} }} }}"
            for i in range(300)
        )
        + " }"
    )
    products_1000 = (
        "{ "
        + " ".join(
            f'p{i}: products(filter: {{search: "carpet"}}) {{ edges {{ node {{ name }} }} }}'
            for i in range(1000)
        )
        + " }"
    )
    upload = {
        "query": "mutation($f: Upload!) { productImportCreate(file: $f) { errors { code } } }",
        "variables": {"f": None},
    }
    map_query, map_query_type = multipart(upload, {"0": ["query"]})
    map_missing, map_missing_type = multipart(upload, {"0": ["variables.nothing.here"]})
    register = (
        "mutation($input: AccountRegisterInput!) { accountRegister(input: $input) "
        "{ errors { code } } }"
    )
    return [
        Attack("1", "24 fragments each spreading the next twice (2^24)", graphql(fragment_bomb)),
        Attack("1", "300 aliased __schema", graphql(schema_300)),
        Attack(
            "1", "1 000 aliased products(filter: {search}) without first", graphql(products_1000)
        ),
        Attack(
            "1",
            "31 aliases",
            graphql("{ currencies { " + " ".join(f"c{i}: code" for i in range(31)) + " } }"),
        ),
        Attack("1", "16 root fields", graphql("{ " + "currencies { code } " * 16 + "}")),
        Attack(
            "1",
            "categories nested 12 deep",
            graphql("{ categories { " + "children { " * 12 + "name" + " }" * 12 + " } }"),
        ),
        Attack(
            "1",
            "products(first: 100) with every nested list",
            graphql(
                "{ products(first: 100) { edges { node { variants { id } images { url } "
                "attributes { values { name } } category { children { children { children "
                "{ name } } } } } } } }"
            ),
        ),
        Attack("1", "a 24 000-token document", graphql("{ " + "currencies { code } " * 6000 + "}")),
        Attack("2", "__schema", graphql("{ __schema { types { name } } }")),
        Attack("2", "__type", graphql('{ __type(name: "Product") { fields { name } } }')),
        Attack(
            "2",
            "GraphiQL page (GET, Accept: text/html)",
            b"",
            content_type="",
            method="GET",
            headers=(("Accept", "text/html"),),
        ),
        Attack(
            "2",
            "a misspelt field (no 'Did you mean')",
            graphql("{ products { edges { node { nme } } } }"),
        ),
        Attack(
            "2",
            "an HTML form post (urlencoded)",
            b"query=%7B+__typename+%7D",
            content_type="application/x-www-form-urlencoded",
        ),
        Attack("9", '{"query": 123}', json.dumps({"query": 123}).encode()),
        Attack("9", "variables as a list", graphql("{ __typename }", [1, 2])),  # type: ignore[arg-type]
        Attack("9", "operationName as a number", graphql("{ __typename }", operationName=5)),
        Attack("9", "a JSON array body", b"[]"),
        Attack("9", "multipart map aimed at the query", map_query, content_type=map_query_type),
        Attack(
            "9",
            "multipart map to a path that does not exist",
            map_missing,
            content_type=map_missing_type,
        ),
        Attack(
            "9",
            "NUL in a variable",
            graphql(
                register,
                {
                    "input": {
                        "email": "nul@example.com",
                        "password": "a long passphrase",
                        "firstName": "A\x00",
                    }
                },
            ),
        ),
        Attack(
            "9",
            "NUL in a string of the query",
            graphql('{ products(filter: {search: "rug\\u0000"}) { totalCount } }'),
        ),
        Attack(
            "9",
            "a lone surrogate in a variable",
            graphql(
                "query($s: String) { products(filter: {search: $s}) { totalCount } }",
                {"s": "rug\ud800"},
            ),
        ),
    ]


class InProcess:
    def __init__(self):
        os.environ.setdefault("DJANGO_DEBUG", "false")
        # Production settings want a real secret; this process's own will do.
        os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market.settings")
        sys.path.insert(0, str(ROOT))
        import django
        from django.test import Client

        django.setup()
        # Each refusal is a 4xx that Django logs as a warning; the table is the report.
        logging.getLogger("django.request").setLevel(logging.ERROR)
        self.client = Client(raise_request_exception=False)

    def send(self, attack: Attack) -> tuple[int, bytes]:
        headers = dict(attack.headers)
        if attack.method == "GET":
            response = self.client.get("/graphql/", headers=headers, secure=True)
        else:
            response = self.client.post(
                "/graphql/",
                data=attack.body,
                secure=True,
                content_type=attack.content_type,
                headers=headers,
            )
        return response.status_code, response.content


class OverHttp:
    def __init__(self, url: str):
        self.url = urlsplit(url)

    def send(self, attack: Attack) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(self.url.hostname, self.url.port or 80, timeout=60)
        headers = dict(attack.headers)
        if attack.content_type:
            headers["Content-Type"] = attack.content_type
        try:
            connection.request(
                attack.method,
                self.url.path or "/graphql/",
                body=attack.body or None,
                headers=headers,
            )
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


def codes_of(content: bytes) -> str:
    try:
        body = json.loads(content)
    except ValueError:
        return f"(not JSON: {content[:40]!r})"
    errors = body.get("errors") if isinstance(body, dict) else None
    if not errors:
        return "(no error)"
    codes = sorted({(e.get("extensions") or {}).get("code", "?") for e in errors})
    suggestion = any("Did you mean" in e.get("message", "") for e in errors)
    return ", ".join(codes) + ("  [suggests names]" if suggestion else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server's /graphql/ (default: in-process)")
    parser.add_argument("--repeat", type=int, default=3, help="sends per attack (median kept)")
    options = parser.parse_args()
    target = OverHttp(options.url) if options.url else InProcess()
    where = options.url or "in-process WSGI app, DJANGO_DEBUG=" + os.environ["DJANGO_DEBUG"]
    print(f"Hostile requests to /graphql/ ({where}), median of {options.repeat}\n")
    # The first request builds the schema and opens what the process keeps: not a refusal's time.
    target.send(Attack("-", "warm-up", graphql("{ __typename }")))
    print("| item | attack | bytes | status | ms | codes |\n|---|---|---:|---:|---:|---|")
    rounds = [attacks() for _ in range(options.repeat)]  # each send a document never seen
    for sends in zip(*rounds, strict=True):
        timings, status, content = [], 0, b""
        for attack in sends:
            started = time.perf_counter()
            status, content = target.send(attack)
            timings.append((time.perf_counter() - started) * 1000)
        attack = sends[0]
        print(
            f"| {attack.item} | {attack.name} | {len(attack.body)} | {status} | "
            f"{statistics.median(timings):.1f} | {codes_of(content)} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fuzzing the API: queries and mutations generated from the published contract
(``graphql/schema.graphql``, with hypothesis-graphql) are posted to ``/graphql/`` as an
anonymous visitor, a buyer, a seller and staff, over a database with a little of everything.

Whatever the document, the answer is a client error with a code or a result: never a 5xx, never
an ``internal_error``, never a trace of the code (exception names, file paths, the database).

``FUZZ_EXAMPLES`` (environment) sets the examples per test; runs are derandomised, so a
failure shows again on the next run with the same budget, database and schema.
"""

import builtins
import json
import os
import re
from pathlib import Path

import graphql
import pytest
from django.core.cache import cache
from django.db import transaction
from graphql_relay import to_global_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, queries

from market.catalog.models import Category
from market.checkout.models import Checkout
from market.shipping.models import ShippingMethod
from tests.conftest import GraphQLClient
from tests.factories import (
    ProductImageFactory,
    StaffFactory,
    UserFactory,
    placed_order,
    ready_checkout,
)
from tests.stripe_server.fixtures import _stripe_server_process, stripe_server  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(600)]

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
SCHEMA = (Path(__file__).resolve().parents[2] / "graphql" / "schema.graphql").read_text()

# What an answer must never show: a traceback, an exception's class, a source path, the database.
EXCEPTION_NAMES = sorted(
    {
        name
        for name, value in vars(builtins).items()
        if isinstance(value, type) and issubclass(value, BaseException)
    }
    | {
        "IntegrityError",
        "DataError",
        "DatabaseError",
        "OperationalError",
        "ProgrammingError",
        "InterfaceError",
        "InternalError",
        "NotSupportedError",
        "ValidationError",
        "ObjectDoesNotExist",
        "DoesNotExist",
        "MultipleObjectsReturned",
        "FieldError",
        "InvalidOperation",
        "SuspiciousOperation",
        "GraphQLError",
        "DomainError",
        "StripeError",
        "JSONDecodeError",
        "DecodeError",
    }
)
LEAKS = re.compile(
    r"Traceback|\bFile \"|/[\w./-]+\.py\b|site-packages|psycopg|sqlite|"
    r"Decimal\('|datetime\.|<class |object at 0x|"
    rf"\b(?:{'|'.join(EXCEPTION_NAMES)})\b"
)

TYPES = (
    "Product",
    "ProductVariant",
    "ProductImage",
    "ProductImport",
    "Category",
    "Seller",
    "SellerDocument",
    "Order",
    "OrderPart",
    "Payment",
    "Payout",
    "ShippingMethod",
    "User",
)
SEED, TOKEN = re.compile(r"@seed(\d+)@"), re.compile(r"@token(\d+)@")


def _string(value: str) -> graphql.StringValueNode:
    return graphql.StringValueNode(value=value)


def _int(value: int) -> graphql.IntValueNode:
    return graphql.IntValueNode(value=str(value))


def _float(value: float) -> graphql.FloatValueNode:
    return graphql.FloatValueNode(value=repr(value))


INT32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)
HUGE = st.sampled_from([2**31 - 1, 2**31, 2**53 + 1, 2**63, 10**30])
ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "🙂" * 50,
        "x" * 5_000,
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "{}",
        "[]",
        "null",
        "-1",
        "0",
        "1e999",
    ]
)
TEXT = st.one_of(st.text(max_size=40), ODD_TEXT)


def mostly(well_formed: st.SearchStrategy, malformed: st.SearchStrategy, *, odds: int = 4):
    """``well_formed`` about ``odds`` times in ``odds + 1``: one malformed argument makes the
    whole document invalid, and then no resolver runs."""
    return st.integers(min_value=0, max_value=odds).flatmap(
        lambda i: malformed if i == odds else well_formed
    )


CUSTOM_SCALARS = {
    "String": TEXT.map(_string),
    "Int": st.one_of(INT32, st.sampled_from([0, -1, 2**31 - 1, -(2**31)])).map(_int),
    "Float": st.one_of(
        st.floats(allow_nan=False, allow_infinity=False).map(_float),
        st.sampled_from([1e308, -1e308, 5e-324]).map(_float),
    ),
    "ID": st.one_of(
        st.integers(min_value=0, max_value=63).map(lambda i: _string(f"@seed{i}@")),
        st.tuples(st.sampled_from(TYPES), st.one_of(INT32, HUGE)).map(
            lambda t: _string(to_global_id(*t))
        ),
        st.tuples(st.sampled_from(TYPES), st.text(max_size=20)).map(
            lambda t: _string(to_global_id(*t))
        ),
        TEXT.map(_string),
        INT32.map(_int),
    ),
    "Decimal": mostly(
        st.one_of(
            st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
            st.sampled_from(
                [
                    "NaN",
                    "sNaN",
                    "Infinity",
                    "-Infinity",
                    "1e999999999",
                    "-0",
                    "0.001",
                    "9" * 40,
                    "1E+40",
                    "-5",
                ]
            ),
        ).map(_string),
        st.one_of(TEXT.map(_string), INT32.map(_int), HUGE.map(_int)),
    ),
    "DateTime": mostly(st.datetimes().map(lambda d: d.isoformat()), TEXT).map(_string),
    "Date": mostly(st.dates().map(str), TEXT).map(_string),
    "JSONString": mostly(
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=5), inner, max_size=3)
            ),
            max_leaves=8,
        ).map(json.dumps),
        TEXT,
    ).map(_string),
    "UUID": mostly(
        st.one_of(
            st.uuids().map(str), st.integers(min_value=0, max_value=7).map(lambda i: f"@token{i}@")
        ),
        TEXT,
    ).map(_string),
    "Upload": TEXT.map(_string),
}


def one_root_field_at_a_time(build, root: graphql.GraphQLObjectType) -> st.SearchStrategy[str]:
    """Documents that ask one root field each: an odd argument elsewhere in the document cannot
    make it invalid as a whole, so each example reaches a resolver far more often. Explicit
    nulls come in half the documents; in the other half every argument given has a value."""
    return st.one_of(
        *(
            build(PARSED, fields=[name], custom_scalars=CUSTOM_SCALARS, allow_null=allow_null)
            for name in sorted(root.fields)
            for allow_null in (False, True)
        )
    )


PARSED = graphql.build_schema(SCHEMA)
OPERATIONS = {
    "queries": one_root_field_at_a_time(queries, PARSED.query_type),
    "mutations": one_root_field_at_a_time(mutations, PARSED.mutation_type),
}


@pytest.fixture
def marketplace(db, request):
    """Two sellers with listed products (one with a photo), a buyer's unpaid order and open
    checkout, staff who may do anything: (global ids, tokens, users by role). Stripe is the
    local server, so mutations that call it (onboarding links) never leave the machine."""
    request.getfixturevalue("stripe_server")
    buyer = UserFactory()
    order, seller_a, seller_b = placed_order(buyer=buyer)
    variant = seller_a.products.get().variants.get()
    checkout = ready_checkout(lines=[(variant, 1)], user=buyer)
    ProductImageFactory(product=variant.product)
    ids = [to_global_id("Order", order.pk), to_global_id("Category", Category.objects.first().pk)]
    for seller in (seller_a, seller_b):
        product = seller.products.get()
        ids += [
            to_global_id("Seller", seller.pk),
            to_global_id("Product", product.pk),
            *(to_global_id("ProductVariant", v.pk) for v in product.variants.all()),
            *(to_global_id("ProductImage", i.pk) for i in product.images.all()),
        ]
    ids += [to_global_id("OrderPart", part.pk) for part in order.parts.all()]
    ids += [
        to_global_id("ShippingMethod", pk)
        for pk in ShippingMethod.objects.values_list("pk", flat=True)
    ]
    tokens = [str(order.token), str(Checkout.objects.get(pk=checkout.pk).token)]
    users = {
        "anonymous": None,
        "seller": seller_a.user,
        "staff": StaffFactory(is_superuser=True),
        "buyer": buyer,
    }
    return ids, tokens, users


def with_seeded_ids(document: str, ids: list[str], tokens: list[str]) -> str:
    document = SEED.sub(lambda m: ids[int(m.group(1)) % len(ids)], document)
    return TOKEN.sub(lambda m: tokens[int(m.group(1)) % len(tokens)], document)


def assert_answered_without_a_fault(response, document: str) -> None:
    text = response.content.decode(errors="replace")
    assert response.status_code < 500, (document, text)
    leak = LEAKS.search(text)
    assert leak is None, (leak.group(0) if leak else None, document, text)
    if response.headers.get("Content-Type", "").startswith("application/json"):
        errors = json.loads(text).get("errors") or []
        internal = [
            e for e in errors if (e.get("extensions") or {}).get("code") in (None, "internal_error")
        ]
        assert internal == [], (document, text)


@pytest.mark.parametrize("kind", sorted(OPERATIONS))
@pytest.mark.parametrize("role", ["anonymous", "seller", "staff", "buyer"])
def test_generated_operations_are_answered_without_a_fault(marketplace, role, kind):
    """Every generated document, asked by each role, is answered with data or coded errors."""
    ids, tokens, users = marketplace
    client = GraphQLClient(users[role])

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(document=OPERATIONS[kind])
    def answered_without_a_fault(document):
        document = with_seeded_ids(document, ids, tokens)
        cache.clear()  # sign-in throttling counts would carry over between examples
        with transaction.atomic():  # each example starts from the same database
            response = client.post(document)
            transaction.set_rollback(True)
        assert_answered_without_a_fault(response, document)

    answered_without_a_fault()

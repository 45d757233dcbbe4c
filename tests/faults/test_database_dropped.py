"""A request's PostgreSQL connection is killed in the middle of its transaction (as a server
restart, a failover or a network cut would): the client gets ``service_unavailable`` (HTTP
503, a fixed message, no error text), nothing the mutation had written is kept (no order
without its lines, no stock taken), and the next request works on a fresh connection.

The connection is killed from another connection with ``pg_terminate_backend`` right after the
mutation's statement that inserts the order, before its lines and its stock updates.
"""

from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.db import close_old_connections, connection

from market.catalog.models import ProductVariant
from market.checkout.models import Checkout, CheckoutStatus, StockReservation
from market.orders.models import Order, OrderLine, OrderPart
from tests.factories import euro_rate, ready_checkout, seller_with_variant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COMPLETE = """
mutation($token: UUID!, $key: String!) {
  checkoutComplete(token: $token, idempotencyKey: $key) {
    order { number status parts { lines { quantity } } }
    errors { field code message }
  }
}
"""


def _admin_dsn() -> str:
    db = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        host=db["HOST"] or "127.0.0.1",
        port=str(db["PORT"] or 5432),
        user=db["USER"] or "postgres",
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
    )


@contextmanager
def killed_after(statement_start: str):
    """Runs the block; the first time its connection has run a statement beginning with
    ``statement_start``, that connection is terminated from another one."""
    fired = []

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not fired and sql.startswith(statement_start):
            fired.append(sql)
            pid = context["connection"].connection.info.backend_pid
            with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        return result

    with connection.execute_wrapper(wrapper):
        yield fired


@pytest.fixture
def checkout_of_two_makers():
    euro_rate()
    _, variant_a = seller_with_variant(price="100.00", stock=5, name="Kilim House")
    _, variant_b = seller_with_variant(price="50.00", stock=3, name="Clay Works")
    checkout = ready_checkout(lines=[(variant_a, 2), (variant_b, 1)])
    return checkout, (variant_a, variant_b)


def stock(variants) -> list[int]:
    return [ProductVariant.objects.get(pk=v.pk).stock_quantity for v in variants]


def test_a_connection_killed_mid_checkout_is_a_clean_503_and_writes_nothing(
    gql, checkout_of_two_makers
):
    checkout, variants = checkout_of_two_makers
    stock_before = stock(variants)
    reservations_before = StockReservation.objects.filter(checkout=checkout).count()

    with killed_after('INSERT INTO "orders_order"') as fired:
        response = gql.post(COMPLETE, {"token": str(checkout.token), "key": "k-1"})

    assert fired, "the mutation never inserted its order"
    assert response.status_code == 503
    body = response.json()
    [error] = body["errors"]
    assert error["extensions"]["code"] == "service_unavailable"
    assert error["path"] == ["checkoutComplete"]
    text = response.content.decode()
    for needle in ("terminating", "administrator", "server closed", "psycopg", "5432", "SQL"):
        assert needle not in text
    # Nothing of the half-done order is kept.
    assert Order.objects.count() == OrderPart.objects.count() == OrderLine.objects.count() == 0
    assert stock(variants) == stock_before
    assert Checkout.objects.get(pk=checkout.pk).status == CheckoutStatus.ACTIVE
    assert StockReservation.objects.filter(checkout=checkout).count() == reservations_before


def test_the_same_request_again_succeeds_on_a_fresh_connection(gql, checkout_of_two_makers):
    checkout, variants = checkout_of_two_makers
    with killed_after('INSERT INTO "orders_order"'):
        gql.post(COMPLETE, {"token": str(checkout.token), "key": "k-1"})

    again = gql.post(COMPLETE, {"token": str(checkout.token), "key": "k-1"})

    assert again.status_code == 200
    result = again.json()["data"]["checkoutComplete"]
    assert result["errors"] == []
    assert [len(p["lines"]) for p in result["order"]["parts"]] == [1, 1]
    assert Order.objects.count() == 1 and OrderLine.objects.count() == 2
    assert stock(variants) == [3, 2]


def test_a_query_on_a_connection_killed_between_requests_is_answered(gql, checkout_of_two_makers):
    """A kept connection (CONN_MAX_AGE) that the server ended while idle is replaced by the
    health check before the request uses it: the client never sees the dead one."""
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    gql.post("{ currencies { code } }")
    pid = connection.connection.info.backend_pid
    with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    # What a WSGI server's request_started does before each request (Django's test client
    # leaves it out): kept connections are checked again before their next use.
    close_old_connections()

    response = gql.post("{ currencies { code } }")

    assert response.status_code == 200, response.content
    assert "errors" not in response.json()
    assert connection.connection.info.backend_pid != pid

"""Redis, as the cache, stopped: signing in (the API, the storefront, the admin), the catalogue,
the cart, the checkout and paying all work over HTTP; the sign-in limits still hold in each
process; the outage is logged; and no answer ever holds the connection error's text.

The cache points at a ``redis-server`` of the test's own, which answers first and is then
stopped, as when Redis goes down under a running site (the shared Redis is never touched; the
Celery broker stays where the test run has it).
"""

import logging
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from market.accounts.models import User
from market.orders.models import Order, OrderStatus
from tests.factories import UserFactory, listed_product
from tests.servers import HangingServer, RedisServer, caches_forget_outages, redis_caches
from tests.storefront.buying import (
    SUCCEEDS,
    add_to_cart,
    choose_delivery,
    makers_shipping_to_germany,
    place_order,
    save_details,
    visitor_in_germany,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # what UserFactory sets
TOKEN_CREATE = """
mutation($email: String!, $password: String!) {
  tokenCreate(email: $email, password: $password) { accessToken errors { field code message } }
}
"""
PRODUCTS = "{ products(first: 10) { edges { node { name } } } }"


@pytest.fixture
def stopped_redis(settings, tmp_path):
    """The cache's Redis, seen answering, then stopped; its port, for the leak checks."""
    server = RedisServer(tmp_path)
    settings.CACHES = redis_caches(server.url)
    from django.core.cache import cache as shared

    shared.set("faults:alive", "yes")
    assert shared.get("faults:alive") == "yes"
    caches_forget_outages()
    server.stop()
    yield server.port
    caches_forget_outages()


def leaked(text: str, port: int) -> list[str]:
    """The parts of a connection error's text found in ``text``."""
    needles = [
        "Error 111",
        "Connection refused",
        "ConnectionError",
        "redis",
        "Redis",
        f"127.0.0.1:{port}",
        f"localhost:{port}",
        f":{port}",
        "Traceback",
    ]
    return [needle for needle in needles if needle in text]


def test_a_buyer_signs_in_browses_orders_and_pays_while_the_cache_is_down(
    client, stopped_redis, eur_rate, caplog
):
    UserFactory(email="anna@example.com")
    variants, method = makers_shipping_to_germany(2)
    product = variants[0].product
    visitor_in_germany(client)
    answers = []

    with caplog.at_level(logging.WARNING, logger="market.core.cache"):
        signed_in = client.post(
            reverse("storefront:sign_in"), {"email": "anna@example.com", "password": PASSWORD}
        )
        answers.append(signed_in)
        for path in (
            "/",
            "/products/",
            f"/products/{product.slug}/",
            "/makers/",
            f"/makers/{product.seller.slug}/",
        ):
            page = client.get(path)
            assert page.status_code == 200, path
            answers.append(page)
        for variant in variants:
            answers.append(add_to_cart(client, variant))
        answers.append(client.get(reverse("storefront:cart")))
        answers.append(save_details(client))
        answers.append(choose_delivery(client, variants, method))
        placed = place_order(client)
        answers.append(placed)
        order = Order.objects.get()
        paid = client.post(
            reverse("storefront:order", args=[order.token]),
            {"card": SUCCEEDS, "attempt": uuid.uuid4()},
        )
        answers.append(paid)
        answers.append(client.get(paid["Location"]))

    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("storefront:account")
    assert placed.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.user == User.objects.get(email="anna@example.com")
    assert order.parts.count() == 2
    assert "Thank you: your payment went through." in answers[-1].content.decode()
    assert "shared cache does not answer" in caplog.text
    for answer in answers:
        assert answer.status_code < 400
        assert leaked(answer.content.decode(), stopped_redis) == []


def test_the_api_signs_in_and_lists_products_while_the_cache_is_down(gql, stopped_redis):
    UserFactory(email="anna@example.com")
    listed_product(name="Blue kilim")

    token = gql.post(TOKEN_CREATE, {"email": "anna@example.com", "password": PASSWORD})
    products = gql.post(PRODUCTS)

    assert token.status_code == 200 and products.status_code == 200
    assert token.json()["data"]["tokenCreate"]["errors"] == []
    assert token.json()["data"]["tokenCreate"]["accessToken"]
    assert products.json()["data"]["products"]["edges"] == [{"node": {"name": "Blue kilim"}}]
    assert leaked(token.content.decode() + products.content.decode(), stopped_redis) == []


def test_staff_sign_in_to_the_admin_while_the_cache_is_down(stopped_redis):
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    client = Client()

    response = client.post(
        "/admin/login/?next=/admin/", {"username": "staff@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_storefront_sign_in_still_stops_a_guesser_within_the_process(
    client, stopped_redis, settings
):
    settings.LOGIN_MAX_FAILURES = 3
    UserFactory(email="anna@example.com")

    failures = [
        client.post(
            reverse("storefront:sign_in"), {"email": "anna@example.com", "password": "wrong"}
        )
        for _ in range(4)
    ]
    right_password = client.post(
        reverse("storefront:sign_in"), {"email": "anna@example.com", "password": PASSWORD}
    )

    assert [f.status_code for f in failures] == [400] * 4
    assert "Too many" not in failures[2].content.decode()
    assert "Too many" in failures[3].content.decode()
    assert right_password.status_code == 400
    assert "Too many" in right_password.content.decode()
    assert "_auth_user_id" not in client.session
    for answer in [*failures, right_password]:
        assert leaked(answer.content.decode(), stopped_redis) == []


def test_the_admin_login_still_stops_a_guesser_within_the_process(stopped_redis, settings):
    settings.LOGIN_MAX_FAILURES = 3
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    client = Client()

    for _ in range(4):
        client.post(
            "/admin/login/?next=/admin/", {"username": "staff@example.com", "password": "wrong"}
        )
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "staff@example.com", "password": PASSWORD}
    )

    assert response.status_code == 200  # the form again, not the redirect into the admin
    assert "_auth_user_id" not in client.session
    assert leaked(response.content.decode(), stopped_redis) == []


def test_readyz_names_the_cache_without_the_errors_text(client, stopped_redis):
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert leaked(response.content.decode(), stopped_redis) == []


def test_a_hanging_cache_costs_one_timeout_per_pause_not_one_per_call(gql, settings):
    """A Redis that accepts connections and never answers (a hung server, a network dropping
    packets) is asked once; until REDIS_CACHE_RETRY_SECONDS pass, the process's own memory
    answers at once, so a sign-in does not wait for six timeouts."""
    hanging = HangingServer()
    settings.CACHES = redis_caches(hanging.url)
    settings.REDIS_CACHE_RETRY_SECONDS = 3600
    caches_forget_outages()
    UserFactory(email="anna@example.com")
    try:
        for _ in range(3):
            data = gql.execute(TOKEN_CREATE, {"email": "anna@example.com", "password": PASSWORD})
            assert data["tokenCreate"]["errors"] == []
        gql.execute(PRODUCTS)

        assert hanging.connections == 1
    finally:
        caches_forget_outages()
        hanging.close()

"""Anonymous catalogue answers are kept in Redis and served without touching the database, are
never kept for (nor served to) anyone signed in, and are dropped as soon as a price, stock or
listing they show changes (market.core.catalogue_cache)."""

from decimal import Decimal

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext

from market.catalog.services import product_publish, product_unpublish, product_variant_update
from market.checkout.completion import checkout_complete
from market.core.cache import cache
from market.core.catalogue_cache import CatalogueAnswer, catalogue_answer_set, catalogue_changed
from market.orders.services import order_cancel
from tests.factories import (
    ExchangeRateFactory,
    SellerFactory,
    UserFactory,
    key,
    listed_product,
    ready_checkout,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_cache")]

LIST = """
query Listing($first: Int) {
  products(first: $first) { totalCount edges { node { slug priceRange { start { amount } } } } }
}
"""
PRODUCT = """
query ProductPage($slug: String!) {
  product(slug: $slug) { name variants { quantityAvailable price { amount } } }
}
"""


def _queries(client, query, variables=None):
    """The answer's data and the SQL statements it took."""
    with CaptureQueriesContext(connection) as captured:
        data = client.execute(query, variables)
    return data, len(captured)


def _cached(client, query, variables=None):
    """Ask until the answer is kept (the first answer after Redis starts only sets the
    versions), then once more: that answer's data and SQL count."""
    for _ in range(2):
        client.execute(query, variables)
    return _queries(client, query, variables)


def _changed(django_capture_on_commit_callbacks, change):
    with django_capture_on_commit_callbacks(execute=True):
        return change()


@pytest.fixture
def no_clock_margin(monkeypatch):
    """Requests right after a change may keep their answers (the margin guards clocks of
    several machines; here one clock)."""
    monkeypatch.setattr("market.core.catalogue_cache.CLOCK_MARGIN_NS", 0)


def test_an_anonymous_catalogue_answer_is_served_again_without_sql(gql):
    listed_product(slug="blue-vase")

    first, first_sql = _queries(gql, LIST, {"first": 10})
    again, again_sql = _cached(gql, LIST, {"first": 10})

    assert first_sql > 0
    assert again_sql == 0
    assert again == first


def test_a_kept_answer_is_served_in_one_redis_round_trip(gql, monkeypatch):
    listed_product(slug="blue-vase")
    first = _cached(gql, LIST, {"first": 10})[0]
    commands = []
    real = redis.Redis.execute_command

    def counted(client, *args, **options):
        commands.append(args[0])
        return real(client, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    again, sql = _queries(gql, LIST, {"first": 10})

    assert (again, sql) == (first, 0)
    assert commands == ["EVALSHA"]


def test_a_kept_answer_is_served_after_redis_forgot_its_scripts(gql):
    listed_product(slug="blue-vase")
    first = _cached(gql, LIST, {"first": 10})[0]
    # A Redis restarted with its data on disk has lost the scripts it had loaded.
    cache.shared_redis(lambda client, make_key: client.script_flush())

    again, sql = _queries(gql, LIST, {"first": 10})

    assert (again, sql) == (first, 0)


def test_an_api_answer_sets_no_cookie(gql):
    listed_product(slug="blue-vase")

    response = gql.post(LIST, {"first": 10})

    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response


def test_other_variables_are_another_answer(gql):
    listed_product(slug="blue-vase")
    listed_product(slug="red-vase")
    _cached(gql, LIST, {"first": 10})

    data, sql = _queries(gql, LIST, {"first": 1})

    assert sql > 0
    assert len(data["products"]["edges"]) == 1


def test_a_signed_in_clients_answer_is_never_kept_nor_served_a_kept_one(gql, gql_as):
    listed_product(slug="blue-vase")
    signed_in = gql_as(UserFactory())

    for _ in range(3):
        _, signed_in_sql = _queries(signed_in, LIST, {"first": 10})
        assert signed_in_sql > 0
    _cached(gql, LIST, {"first": 10})
    _, signed_in_sql = _queries(signed_in, LIST, {"first": 10})

    assert signed_in_sql > 0


def test_an_answer_with_a_personal_field_is_never_kept(gql):
    listed_product(slug="blue-vase")
    query = "query { me { email } products(first: 5) { totalCount } }"

    for _ in range(3):
        _, sql = _queries(gql, query)

    assert sql > 0


def test_a_price_change_is_seen_at_once(gql, django_capture_on_commit_callbacks, no_clock_margin):
    product = listed_product(slug="blue-vase", prices=("100.00",))
    _cached(gql, PRODUCT, {"slug": "blue-vase"})
    variant = product.variants.get()

    _changed(
        django_capture_on_commit_callbacks,
        lambda: product_variant_update(variant=variant, price_amount=Decimal("80.00")),
    )
    page, _ = _queries(gql, PRODUCT, {"slug": "blue-vase"})
    listing, _ = _queries(gql, LIST, {"first": 10})

    assert page["product"]["variants"][0]["price"]["amount"] == "80.00"
    assert listing["products"]["edges"][0]["node"]["priceRange"]["start"]["amount"] == "80.00"


def test_a_checkout_drops_the_answers_showing_what_it_bought_and_only_those(
    gql, django_capture_on_commit_callbacks, no_clock_margin
):
    ExchangeRateFactory(currency="EUR", rate=Decimal("2.0000"))
    bought = listed_product(slug="blue-vase", stock=5)
    listed_product(slug="red-vase", stock=5)
    _cached(gql, PRODUCT, {"slug": "blue-vase"})
    _cached(gql, PRODUCT, {"slug": "red-vase"})
    checkout = ready_checkout(lines=[(bought.variants.get(), 2)])

    _changed(
        django_capture_on_commit_callbacks,
        lambda: checkout_complete(token=checkout.token, idempotency_key=key()),
    )
    page, page_sql = _queries(gql, PRODUCT, {"slug": "blue-vase"})
    _, other_sql = _queries(gql, PRODUCT, {"slug": "red-vase"})

    assert page["product"]["variants"][0]["quantityAvailable"] == 3
    assert page_sql > 0
    assert other_sql == 0


def test_a_sale_that_leaves_units_keeps_the_lists_showing_what_it_sold(
    gql, django_capture_on_commit_callbacks, no_clock_margin
):
    """Lists show only whether a product is in stock: a sale that leaves units changes nothing
    they show, so the busy shop's checkouts do not make every list that shows the product be
    computed again; the product's page, which counts the units, is dropped."""
    ExchangeRateFactory(currency="EUR", rate=Decimal("2.0000"))
    bought = listed_product(slug="blue-vase", stock=5)
    listed_product(slug="red-vase", stock=5)
    kept_listing, _ = _cached(gql, LIST, {"first": 10})
    _cached(gql, PRODUCT, {"slug": "blue-vase"})
    checkout = ready_checkout(lines=[(bought.variants.get(), 2)])

    _changed(
        django_capture_on_commit_callbacks,
        lambda: checkout_complete(token=checkout.token, idempotency_key=key()),
    )
    listing, listing_sql = _queries(gql, LIST, {"first": 10})
    page, page_sql = _queries(gql, PRODUCT, {"slug": "blue-vase"})

    assert listing_sql == 0
    assert listing == kept_listing
    assert page_sql > 0
    assert page["product"]["variants"][0]["quantityAvailable"] == 3


STOCK_LIST = """
query StockListing($first: Int, $filter: ProductFilterInput) {
  products(first: $first, filter: $filter) { totalCount edges { node { slug inStock } } }
}
"""
IN_STOCK = {"first": 10, "filter": {"inStock": True}}


def _sold_out(django_capture_on_commit_callbacks, product):
    """Complete a checkout of the product's last units; the order."""
    checkout = ready_checkout(
        lines=[(product.variants.get(), product.variants.get().stock_quantity)]
    )
    return _changed(
        django_capture_on_commit_callbacks,
        lambda: checkout_complete(token=checkout.token, idempotency_key=key()),
    )


def test_a_sale_of_the_last_units_drops_what_shows_the_product_and_the_in_stock_lists(
    gql, django_capture_on_commit_callbacks, no_clock_margin
):
    ExchangeRateFactory(currency="EUR", rate=Decimal("2.0000"))
    bought = listed_product(slug="blue-vase", stock=2)
    listed_product(slug="red-vase", stock=5)
    _cached(gql, STOCK_LIST, IN_STOCK)
    _cached(gql, STOCK_LIST, {"first": 10})
    _cached(gql, PRODUCT, {"slug": "red-vase"})

    _sold_out(django_capture_on_commit_callbacks, bought)
    in_stock, in_stock_sql = _queries(gql, STOCK_LIST, IN_STOCK)
    listing, listing_sql = _queries(gql, STOCK_LIST, {"first": 10})
    _, other_sql = _queries(gql, PRODUCT, {"slug": "red-vase"})

    assert in_stock_sql > 0
    assert [e["node"]["slug"] for e in in_stock["products"]["edges"]] == ["red-vase"]
    assert listing_sql > 0
    assert {e["node"]["slug"]: e["node"]["inStock"] for e in listing["products"]["edges"]} == {
        "blue-vase": False,
        "red-vase": True,
    }
    # A sell-out is no longer a reason to compute the whole catalogue again.
    assert other_sql == 0


def test_a_cancelled_order_puts_a_sold_out_product_back_in_the_in_stock_lists(
    gql, django_capture_on_commit_callbacks, no_clock_margin
):
    ExchangeRateFactory(currency="EUR", rate=Decimal("2.0000"))
    bought = listed_product(slug="blue-vase", stock=2)
    listed_product(slug="red-vase", stock=5)
    order = _sold_out(django_capture_on_commit_callbacks, bought)
    sold_out, _ = _cached(gql, STOCK_LIST, IN_STOCK)

    _changed(django_capture_on_commit_callbacks, lambda: order_cancel(order=order))
    back, back_sql = _queries(gql, STOCK_LIST, IN_STOCK)
    page, _ = _queries(gql, PRODUCT, {"slug": "blue-vase"})

    assert sold_out["products"]["totalCount"] == 1
    assert back_sql > 0
    assert {e["node"]["slug"] for e in back["products"]["edges"]} == {"blue-vase", "red-vase"}
    assert page["product"]["variants"][0]["quantityAvailable"] == 2


def test_unpublishing_and_publishing_change_the_list_at_once(
    gql, django_capture_on_commit_callbacks, no_clock_margin
):
    seller = SellerFactory()
    product = listed_product(slug="blue-vase", seller=seller, is_exportable=False)
    listed_product(slug="red-vase", seller=seller)
    _cached(gql, LIST, {"first": 10})
    _cached(gql, PRODUCT, {"slug": "blue-vase"})

    _changed(
        django_capture_on_commit_callbacks,
        lambda: product_unpublish(product=product, actor=seller.user),
    )
    unpublished, _ = _queries(gql, LIST, {"first": 10})
    page, _ = _queries(gql, PRODUCT, {"slug": "blue-vase"})
    _changed(
        django_capture_on_commit_callbacks,
        lambda: product_publish(product=product, actor=seller.user),
    )
    published, _ = _queries(gql, LIST, {"first": 10})

    assert [e["node"]["slug"] for e in unpublished["products"]["edges"]] == ["red-vase"]
    assert page["product"] is None
    assert {e["node"]["slug"] for e in published["products"]["edges"]} == {
        "blue-vase",
        "red-vase",
    }


def test_an_answer_computed_while_what_it_shows_changed_is_not_kept(
    gql, django_capture_on_commit_callbacks
):
    product = listed_product(slug="blue-vase")
    _cached(gql, PRODUCT, {"slug": "blue-vase"})
    answer = CatalogueAnswer(key="catalogue:answer:test", product_ids={product.pk})

    # The request read the rows, then a sale committed before its answer was stored.
    _changed(
        django_capture_on_commit_callbacks,
        lambda: catalogue_changed(product_ids=[product.pk]),
    )

    assert catalogue_answer_set(answer, '{"data": {}}') is False
    assert cache.shared_redis(lambda client, make_key: client.exists(make_key(answer.key))) == 0


def test_while_redis_is_down_nothing_is_kept_in_process_memory(gql, redis_down):
    listed_product(slug="blue-vase")

    for _ in range(3):
        data, sql = _queries(gql, LIST, {"first": 10})

    assert sql > 0
    assert data["products"]["totalCount"] == 1


def test_the_storefront_catalogue_page_shows_a_new_price_at_once(
    client, django_capture_on_commit_callbacks, no_clock_margin
):
    product = listed_product(slug="blue-vase", name="Blue vase", prices=("100.00",))
    for _ in range(3):
        client.get("/products/")
    with CaptureQueriesContext(connection) as cached_page:
        client.get("/products/")

    _changed(
        django_capture_on_commit_callbacks,
        lambda: product_variant_update(
            variant=product.variants.get(), price_amount=Decimal("80.00")
        ),
    )
    page = client.get("/products/")

    assert len(cached_page) == 0
    assert "80" in page.content.decode()


def test_the_api_and_the_storefront_never_read_each_others_kept_answers(client, monkeypatch):
    """The storefront's operation files are public: asking one through /graphql/ with the very
    variables a page uses must not leave the page an answer of the API's shape."""
    import market.storefront.api

    listed_product(slug="blue-vase", name="Blue vase", prices=("100.00",))
    asked = []
    key_for = market.storefront.api.catalogue_answer_key

    def recording(request, **parts):
        asked.append(parts)
        return key_for(request, **parts)

    monkeypatch.setattr(market.storefront.api, "catalogue_answer_key", recording)
    assert client.get("/products/").status_code == 200
    page_asked = asked[0]
    for _ in range(3):  # kept by the API under its own key
        response = client.post(
            "/graphql/",
            {
                "query": page_asked["document"],
                "operationName": page_asked["operation_name"],
                "variables": page_asked["variables"],
            },
            content_type="application/json",
        )
        assert "data" in response.json()

    for _ in range(3):
        page = client.get("/products/")
        assert page.status_code == 200
        assert "Blue vase" in page.content.decode()

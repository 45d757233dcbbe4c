"""The catalogue (/products/) and the categories' pages: search, filters, sort, numbered pages,
and addresses we do not understand falling back to the defaults."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from market.catalog.models import Availability, ProductStatus
from market.sellers.models import SellerStatus
from market.storefront.preferences import CURRENCY_COOKIE
from market.storefront.views import catalogue
from tests.factories import CategoryFactory, ProductImageFactory, SellerFactory, listed_product

pytestmark = pytest.mark.django_db


def shown(response) -> list[str]:
    """The product names on a catalogue page, in order."""
    assert response.status_code == 200
    return re.findall(r'<span class="name">([^<]*)</span>', response.content.decode())


def canonical(response) -> str:
    return re.search(r'<link rel="canonical" href="([^"]*)">', response.content.decode()).group(1)


def make(name, *, days_ago=1, **kwargs):
    published = timezone.now() - dt.timedelta(days=days_ago)
    return listed_product(name=name, published_at=published, **kwargs)


def test_the_catalogue_lists_public_work_newest_first(client):
    make("Older jug", days_ago=3)
    make("Newer kilim", days_ago=1)
    make("Draft vase", status=ProductStatus.DRAFT)
    make("Old rug", status=ProductStatus.ARCHIVED)
    make("Suspended tar", seller=SellerFactory(status=SellerStatus.SUSPENDED))

    response = client.get("/products/")

    assert shown(response) == ["Newer kilim", "Older jug"]
    assert "2 pieces of work" in response.content.decode()


def test_prices_are_in_the_visitors_currency(client, eur_rate):
    make("Kilim", prices=(Decimal("30.00"), Decimal("50.00")))
    client.cookies[CURRENCY_COOKIE] = "EUR"

    response = client.get("/products/")

    assert "from €15.00" in response.content.decode()


def test_search_finds_work_by_its_words_and_offers_best_match(client):
    make("Shirvan kilim", days_ago=2)
    make("Ceramic jug", description="Glazed like a kilim", days_ago=1)
    make("Tar")

    response = client.get("/products/", {"q": "kilim"})

    # Best match first: a name hit ranks above a description hit, though older.
    assert shown(response) == ["Shirvan kilim", "Ceramic jug"]
    assert '<option value="relevance" selected>' in response.content.decode()
    assert '<meta name="robots" content="noindex, follow">' in response.content.decode()


def test_the_category_filter_includes_subcategories(client):
    textiles = CategoryFactory(slug="textiles")
    kilims = CategoryFactory(slug="kilims", parent=textiles)
    make("Shirvan kilim", category=kilims)
    make("Tablecloth", category=textiles)
    make("Jug")

    response = client.get("/products/", {"category": "textiles", "sort": "name"})

    assert shown(response) == ["Shirvan kilim", "Tablecloth"]
    assert '<option value="kilims">– ' in response.content.decode()


def test_the_maker_filter(client):
    nargiz = SellerFactory(slug="nargiz", name="Nargiz Ceramics")
    make("Jug", seller=nargiz)
    make("Kilim")

    response = client.get("/products/", {"maker": "nargiz"})

    assert shown(response) == ["Jug"]
    assert '<option value="nargiz" selected>Nargiz Ceramics</option>' in response.content.decode()


def test_the_price_range_is_in_the_visitors_currency(client, eur_rate):
    make("Cheap", prices=(Decimal("10.00"),))
    make("Mid", prices=(Decimal("40.00"),))
    make("Dear", prices=(Decimal("200.00"),))
    client.cookies[CURRENCY_COOKIE] = "EUR"

    # 15–30 EUR is 30–60 AZN.
    response = client.get("/products/", {"price_min": "15", "price_max": "30"})

    assert shown(response) == ["Mid"]
    assert 'name="price_min" type="number"' in response.content.decode()


def test_a_price_range_given_backwards_is_read_the_right_way_round(client):
    make("Mid", prices=(Decimal("40.00"),))
    make("Dear", prices=(Decimal("200.00"),))

    response = client.get("/products/", {"price_min": "60", "price_max": "30"})

    assert shown(response) == ["Mid"]


def test_the_origin_in_stock_and_made_to_order_filters(client):
    make("Turkish plate", origin_country="TR")
    make("Sold-out rug", stock=0)
    make("Commissioned tar", availability=Availability.MADE_TO_ORDER)

    by_origin = client.get("/products/", {"origin": "TR"})
    in_stock = client.get("/products/", {"in_stock": "1", "sort": "name"})
    made_to_order = client.get("/products/", {"made_to_order": "1"})

    assert shown(by_origin) == ["Turkish plate"]
    # The filter offers the countries work comes from, not every country there is.
    assert re.findall(
        r'<option value="(\w\w)"',
        by_origin.content.decode().split('id="filter-origin"')[1].split("</select>")[0],
    ) == ["AZ", "TR"]
    assert shown(in_stock) == ["Commissioned tar", "Turkish plate"]
    assert shown(made_to_order) == ["Commissioned tar"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["Bowl", "Carpet", "Amulet"]),
        ("price-asc", ["Amulet", "Bowl", "Carpet"]),
        ("price-desc", ["Carpet", "Bowl", "Amulet"]),
        ("name", ["Amulet", "Bowl", "Carpet"]),
    ],
)
def test_each_sort_order(client, sort, expected):
    make("Amulet", prices=(Decimal("5.00"),), days_ago=3)
    make("Carpet", prices=(Decimal("900.00"),), days_ago=2)
    make("Bowl", prices=(Decimal("40.00"),), days_ago=1)

    response = client.get("/products/", {"sort": sort})

    assert shown(response) == expected
    assert f'<option value="{sort}" selected>' in response.content.decode()


def test_values_we_do_not_understand_fall_back_to_the_defaults(client):
    make("Amulet", days_ago=2)
    make("Bowl", days_ago=1)

    response = client.get(
        "/products/",
        {
            "sort": "evil",
            "page": "abc",
            "price_min": "x",
            "price_max": "1e999999",
            "origin": "<script>",
            "category": "../../etc",
            "maker": "no such maker!",
            "in_stock": "yes please",
        },
    )

    assert shown(response) == ["Bowl", "Amulet"]  # newest first, page 1, no filter
    assert '<option value="newest" selected>' in response.content.decode()


def test_best_match_without_a_search_is_newest_first(client):
    make("Amulet", days_ago=2)
    make("Bowl", days_ago=1)

    response = client.get("/products/", {"sort": "relevance"})

    assert shown(response) == ["Bowl", "Amulet"]
    assert 'value="relevance"' not in response.content.decode()


def test_a_search_longer_than_the_api_takes_is_cut_not_refused(client):
    make("Kilim")

    response = client.get("/products/", {"q": "kilim " + "x" * 500})

    assert response.status_code == 200
    assert "0 pieces of work" in response.content.decode()


def test_pages_hold_24_and_number_the_rest(client):
    for i in range(26):
        make(f"Bowl {i:02d}")

    first = client.get("/products/", {"sort": "name"})
    second = client.get("/products/", {"sort": "name", "page": "2"})

    assert shown(first) == [f"Bowl {i:02d}" for i in range(24)]
    assert shown(second) == ["Bowl 24", "Bowl 25"]
    assert 'href="?sort=name&amp;page=2" rel="next"' in first.content.decode()
    assert 'href="?sort=name&amp;page=1" rel="prev"' in second.content.decode()
    assert 'aria-current="page">2</a>' in second.content.decode()


def test_a_page_past_the_end_is_not_found(client):
    make("Bowl")

    past = client.get("/products/", {"page": "2"})
    far = client.get("/products/", {"page": str(10**30)})

    assert past.status_code == 404
    assert far.status_code == 404
    assert "We could not find that page" in past.content.decode()


def test_an_empty_catalogue_is_a_page_that_says_so(client):
    response = client.get("/products/", {"q": "nothing like it"})

    assert response.status_code == 200
    assert "Nothing matches what you asked for." in response.content.decode()


def test_the_canonical_address_keeps_only_the_category_and_the_page(client):
    CategoryFactory(slug="rugs")
    for i in range(25):
        make(f"Rug {i}", category=CategoryFactory(slug=f"rugs-{i}", parent=None))

    filtered = client.get(
        "/products/",
        {"q": "rug", "sort": "name", "utm_source": "mail", "in_stock": "1", "category": "rugs"},
    )
    second = client.get("/products/", {"page": "2", "sort": "name", "fbclid": "x"})
    unknown = client.get("/products/", {"category": "no-such-category"})

    assert canonical(filtered) == "http://127.0.0.1:8000/products/?category=rugs"
    assert canonical(second) == "http://127.0.0.1:8000/products/?page=2"
    assert canonical(unknown) == "http://127.0.0.1:8000/products/"


def test_a_category_page_shows_its_name_description_and_work_below_it(client):
    textiles = CategoryFactory(slug="textiles", name="Textiles", description="Woven by hand.")
    kilims = CategoryFactory(slug="kilims", name="Kilims", parent=textiles)
    make("Shirvan kilim", category=kilims)
    make("Jug")

    response = client.get("/categories/textiles/", {"utm_campaign": "x"})
    html = response.content.decode()

    assert shown(response) == ["Shirvan kilim"]
    assert "<h1>Textiles</h1>" in html
    assert "Woven by hand." in html
    assert 'href="/categories/kilims/"' in html
    assert 'name="category"' not in html  # the page is the category
    assert canonical(response) == "http://127.0.0.1:8000/categories/textiles/"


def test_a_subcategory_page_leads_back_to_its_parent(client):
    textiles = CategoryFactory(slug="textiles", name="Textiles")
    CategoryFactory(slug="kilims", name="Kilims", parent=textiles)

    html = client.get("/categories/kilims/").content.decode()

    assert '<a href="/categories/textiles/">Textiles</a>' in html
    assert '<li aria-current="page">Kilims</li>' in html


def test_an_unknown_category_is_not_found(client):
    response = client.get("/categories/no-such-category/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_filters_work_in_other_languages(client):
    make("Kilim", origin_country="TR")

    response = client.get("/az/products/", {"origin": "TR"})

    assert shown(response) == ["Kilim"]
    assert '<html lang="az">' in response.content.decode()


def test_htmx_gets_only_the_results(client):
    make("Kilim")

    response = client.get("/products/", {"sort": "name"}, headers={"HX-Request": "true"})
    html = response.content.decode()

    assert html.startswith('<section id="results"')
    assert "<html" not in html
    assert "Kilim" in html


def test_the_filter_form_is_a_plain_get_form_enhanced_by_htmx(client):
    html = client.get("/products/").content.decode()

    assert '<form class="filters" action="/products/" method="get"' in html
    assert 'hx-get="/products/"' in html
    assert "htmx" in re.search(r"<script[^>]*src=\"([^\"]*)\"", html).group(1)


def _queries_for_a_full_page(client, settings_size: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/products/", {"sort": "price-asc"})
    assert len(shown(response)) == settings_size
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_page_size(
    client, eur_rate, monkeypatch, django_assert_max_num_queries
):
    client.cookies[CURRENCY_COOKIE] = "EUR"
    for i in range(48):
        product = make(f"Bowl {i}", prices=(Decimal("10.00"), Decimal("12.00")))
        ProductImageFactory(product=product)

    client.get("/products/")  # the filter's origin countries are cached from here on
    monkeypatch.setattr(catalogue, "PAGE_SIZE", 24)
    at_24 = _queries_for_a_full_page(client, 24)
    monkeypatch.setattr(catalogue, "PAGE_SIZE", 48)
    at_48 = _queries_for_a_full_page(client, 48)

    assert at_24 == at_48
    # Categories, makers, the rate, products, their variants, their images, the count (the
    # origin countries come from the cache).
    with django_assert_max_num_queries(7):
        client.get("/products/", {"sort": "price-asc"})

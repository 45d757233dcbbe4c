"""A product's page: gallery, the choice of version posted to the cart, price in the visitor's
currency with its rate, lead time, the maker's story and provenance, export facts."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql_relay import to_global_id

from market.catalog.models import Availability, ProductStatus
from market.sellers.models import SellerStatus
from market.storefront.preferences import COUNTRY_COOKIE, CURRENCY_COOKIE
from tests.factories import (
    AttributeValueFactory,
    CategoryFactory,
    ProductImageFactory,
    ProductVariantFactory,
    SellerFactory,
    duty_country,
    listed_product,
    shipping_method,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def kilim(eur_rate):
    maker = SellerFactory(
        slug="nargiz", name="Nargiz Weaves", bio="Three generations of weavers in Quba."
    )
    product = listed_product(
        slug="shirvan-kilim",
        name="Shirvan kilim",
        seller=maker,
        category=CategoryFactory(slug="kilims", name="Kilims"),
        prices=(Decimal("300.00"), Decimal("500.00")),
        made_year=2024,
        processing_days=3,
        hs_code="570110",
        weight_grams=2400,
        length_mm=1500,
        width_mm=900,
        height_mm=10,
        maker_name="Nargiz Aliyeva",
    )
    product.attribute_values.add(AttributeValueFactory(name="Wool"))
    return product


def page(client, path="/products/shirvan-kilim/"):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_work_its_maker_provenance_and_export_facts(client, kilim):
    html = page(client)

    assert "<h1>Shirvan kilim</h1>" in html
    assert '<a href="/makers/nargiz/">Nargiz Weaves</a>' in html
    assert "Three generations of weavers in Quba." in html
    assert "<dd>Nargiz Aliyeva</dd>" in html
    assert "<dd>2024</dd>" in html
    assert "<dt>Material</dt><dd>Wool</dd>" in html
    assert "<dd>570110</dd>" in html
    assert "<dd>Azerbaijan</dd>" in html
    assert "<dd>2400 g</dd>" in html
    assert "1500 × 900 × 10 mm" in html


def test_prices_are_in_the_visitors_currency_with_the_rate_and_its_date(client, kilim, eur_rate):
    client.cookies[CURRENCY_COOKIE] = "EUR"

    html = page(client)

    assert '<p class="price">from €150.00</p>' in html
    assert "Converted at 1 EUR = 2.0000 AZN (rate of " in html
    assert eur_rate.valid_at.strftime("%Y") in re.search(r"rate of ([^)]*)\)", html).group(1)


def test_base_currency_prices_say_nothing_of_a_rate(client, kilim):
    client.cookies[CURRENCY_COOKIE] = "AZN"

    html = page(client)

    assert "Converted at" not in html


def test_ready_work_says_when_it_ships_and_made_to_order_work_its_lead_time(client, kilim):
    listed_product(slug="commission", availability=Availability.MADE_TO_ORDER, processing_days=21)

    assert "Ready to ship within 3 working days." in page(client)
    assert "Made to order: ships 21 working days after you order." in page(
        client, "/products/commission/"
    )


def test_the_cart_form_posts_the_chosen_version_and_quantity(client, kilim):
    variants = list(kilim.variants.order_by("pk"))

    html = page(client)
    form = re.search(r'<form class="buy" action="([^"]*)" method="post">(.*?)</form>', html, re.S)

    assert form.group(1) == "/cart/"
    body = form.group(2)
    assert 'name="csrfmiddlewaretoken"' in body
    assert '<input type="hidden" name="next" value="/products/shirvan-kilim/">' in body
    first, second = (to_global_id("ProductVariant", v.pk) for v in variants)
    assert f'name="variant" value="{first}" checked>' in body
    assert f'name="variant" value="{second}">' in body
    assert 'name="quantity" type="number" value="1"' in body
    assert '<button type="submit">Add to cart</button>' in body
    assert "€150.00 · <span" in body or "AZN" in body  # each version with its price
    assert "5 available" in body


def test_a_sold_out_version_cannot_be_chosen_and_the_next_one_is(client, kilim):
    sold_out = kilim.variants.order_by("pk").first()
    sold_out.stock_quantity = 0
    sold_out.save()
    other = kilim.variants.order_by("pk").last()

    html = page(client)

    sold_out_id = to_global_id("ProductVariant", sold_out.pk)
    other_id = to_global_id("ProductVariant", other.pk)
    assert f'value="{sold_out_id}" disabled>' in html
    assert f'value="{other_id}" checked>' in html


def test_work_sold_out_entirely_has_no_cart_form(client, kilim):
    kilim.variants.update(stock_quantity=0)

    html = page(client)

    assert "Add to cart" not in html
    assert "Sold out" in html


def test_the_gallery_gives_sizes_and_alt_texts_and_loads_thumbnails_lazily(client, kilim):
    ProductImageFactory(product=kilim, alt="The kilim, whole", width=1200, height=800)
    ProductImageFactory(product=kilim, alt="A corner up close")

    html = page(client)

    main = re.search(r'<img class="main"[^>]*>', html).group(0)
    assert 'alt="The kilim, whole" width="1200" height="800"' in main
    assert "loading" not in main  # the first image is what the visitor came to see
    thumbnails = re.findall(r'<li><a href="[^"]*"><img [^>]*></a></li>', html)
    assert len(thumbnails) == 2
    assert all('loading="lazy"' in t and "width=" in t and "height=" in t for t in thumbnails)
    assert 'alt="A corner up close"' in html


@pytest.mark.parametrize(
    "hidden",
    [
        {"status": ProductStatus.DRAFT, "published_at": None},
        {"status": ProductStatus.ARCHIVED},
        {"seller": lambda: SellerFactory(status=SellerStatus.SUSPENDED)},
    ],
    ids=["draft", "archived", "suspended maker"],
)
def test_work_that_is_not_public_is_not_found(client, hidden):
    fields = {key: value() if callable(value) else value for key, value in hidden.items()}
    listed_product(slug="secret", name="Secret vase", **fields)

    response = client.get("/products/secret/")

    assert response.status_code == 404
    assert "Secret vase" not in response.content.decode()
    assert "We could not find that page" in response.content.decode()


def test_an_unknown_product_is_not_found(client):
    assert client.get("/products/no-such-thing/").status_code == 404


def test_the_page_reads_in_each_language(client, kilim):
    html = page(client, "/ru/products/shirvan-kilim/")

    assert '<html lang="ru">' in html
    assert 'action="/ru/cart/"' in html


def test_queries_do_not_grow_with_versions_images_or_attributes(client, kilim):
    def count():
        with CaptureQueriesContext(connection) as queries:
            page(client)
        return len(queries)

    few = count()
    for _ in range(6):
        ProductVariantFactory(product=kilim)
        ProductImageFactory(product=kilim)
        kilim.attribute_values.add(AttributeValueFactory())

    assert count() == few


def delivery_section(html: str) -> str:
    return re.search(r'<section class="delivery".*?</section>', html, re.S).group(0)


def test_delivery_and_duties_are_estimated_for_the_visitors_country(client, kilim):
    shipping_method(countries=["DE"], name="Standard", transit=(7, 14))
    duty_country("DE", de_minimis="150", currency="EUR", chapters={"57": "8"})
    client.cookies[CURRENCY_COOKIE] = "EUR"
    client.cookies[COUNTRY_COOKIE] = "DE"

    section = delivery_section(page(client))

    assert "Delivery to Germany" in section
    # 2.4 kg: the 5 kg band, 80 AZN = €40.00; ready in 3 days, then 7–14 in transit.
    assert '<td>10–17 days</td><td class="num">€40.00</td>' in section
    # The cheapest version, 300 AZN = €150.00, is not over the €150 de minimis.
    assert "No import duties are due on this work at its price." in section
    assert "(DDP)" in section and "(DAP)" in section


def test_duties_over_the_de_minimis_are_shown(client, kilim):
    shipping_method(countries=["DE"])
    duty_country("DE", de_minimis="100", currency="EUR", chapters={"57": "8"})
    client.cookies[CURRENCY_COOKIE] = "EUR"
    client.cookies[COUNTRY_COOKIE] = "DE"

    section = delivery_section(page(client))

    assert "Import duties: about €12.00." in section  # 8 % of €150.00


def test_a_country_we_do_not_deliver_to_says_so(client, kilim):
    client.cookies[COUNTRY_COOKIE] = "NZ"

    section = delivery_section(page(client))

    assert "Delivery to New Zealand" in section
    assert "We do not deliver there yet." in section


def test_work_that_is_not_exported_says_so_abroad(client, kilim):
    shipping_method(countries=["DE"])
    kilim.is_exportable = False
    kilim.save()
    client.cookies[COUNTRY_COOKIE] = "DE"

    assert "This work is not shipped abroad." in delivery_section(page(client))

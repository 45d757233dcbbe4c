"""What search engines and link previews read: structured data, canonical addresses, Open
Graph, the sitemap in every language, robots.txt."""

import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from market.catalog.models import ProductStatus
from market.sellers.models import SellerStatus
from market.storefront import sitemaps
from market.storefront.preferences import CURRENCY_COOKIE
from tests.factories import CategoryFactory, ProductImageFactory, SellerFactory, listed_product

pytestmark = pytest.mark.django_db

ORIGIN = "http://127.0.0.1:8000"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def kilim(eur_rate):
    rugs = CategoryFactory(slug="rugs", name="Rugs")
    product = listed_product(
        slug="shirvan-kilim",
        name="Shirvan kilim",
        description='Wool on wool, </script><b>"woven"</b>.',
        seller=SellerFactory(name="Nargiz Weaves", slug="nargiz"),
        category=CategoryFactory(slug="kilims", name="Kilims", parent=rugs),
        prices=(Decimal("300.00"), Decimal("500.00")),
        origin_country="AZ",
    )
    ProductImageFactory(product=product, alt="The kilim", width=1200, height=800)
    last = product.variants.order_by("pk").last()
    last.stock_quantity = 0
    last.save()
    return product


def structured_data(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_a_product_page_describes_the_product_for_search_engines(client, kilim):
    client.cookies[CURRENCY_COOKIE] = "EUR"
    html = client.get("/products/shirvan-kilim/").content.decode()

    product, _ = structured_data(html)

    variants = list(kilim.variants.order_by("pk"))
    assert product["@context"] == "https://schema.org"
    assert product["@type"] == "Product"
    assert product["name"] == "Shirvan kilim"
    assert product["description"] == 'Wool on wool, </script><b>"woven"</b>.'
    assert product["sku"] == variants[0].sku
    assert product["brand"] == {"@type": "Brand", "name": "Nargiz Weaves"}
    assert product["countryOfOrigin"] == "AZ"
    assert len(product["image"]) == 1 and product["image"][0].endswith(".jpg")
    assert product["offers"] == [
        {
            "@type": "Offer",
            "sku": variants[0].sku,
            "name": "Shirvan kilim",
            "price": "150.00",
            "priceCurrency": "EUR",
            "availability": "https://schema.org/InStock",
            "url": f"{ORIGIN}/products/shirvan-kilim/",
        },
        {
            "@type": "Offer",
            "sku": variants[1].sku,
            "name": "Shirvan kilim",
            "price": "250.00",
            "priceCurrency": "EUR",
            "availability": "https://schema.org/OutOfStock",
            "url": f"{ORIGIN}/products/shirvan-kilim/",
        },
    ]


def test_the_structured_data_cannot_end_its_script_early(client, kilim):
    html = client.get("/products/shirvan-kilim/").content.decode()

    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "</script>" not in block and "<b>" not in block
    assert "\\u003C/script\\u003E" in block


def test_a_product_page_has_its_breadcrumbs_as_structured_data(client, kilim):
    html = client.get("/products/shirvan-kilim/").content.decode()

    _, crumbs = structured_data(html)

    assert crumbs["@type"] == "BreadcrumbList"
    assert [
        (item["position"], item["name"], item["item"]) for item in crumbs["itemListElement"]
    ] == [
        (1, "Home", f"{ORIGIN}/"),
        (2, "Rugs", f"{ORIGIN}/categories/rugs/"),
        (3, "Kilims", f"{ORIGIN}/categories/kilims/"),
        (4, "Shirvan kilim", f"{ORIGIN}/products/shirvan-kilim/"),
    ]
    assert '<a href="/categories/kilims/">Kilims</a>' in html  # and for people, visibly


def test_a_product_page_has_open_graph_tags_and_its_own_canonical_address(client, kilim):
    html = client.get("/products/shirvan-kilim/?utm_source=mail&fbclid=x").content.decode()

    def meta(name):
        return re.search(rf'<meta property="{name}" content="([^"]*)">', html).group(1)

    assert meta("og:type") == "product"
    assert meta("og:title") == "Shirvan kilim"
    assert meta("og:description").startswith("Wool on wool")
    assert meta("og:url") == f"{ORIGIN}/products/shirvan-kilim/"
    assert meta("og:image").endswith(".jpg")
    assert meta("og:image:width") == "1200"
    assert f'<link rel="canonical" href="{ORIGIN}/products/shirvan-kilim/">' in html


def test_each_language_has_its_canonical_and_the_others_as_alternates(client, kilim):
    html = client.get("/az/products/shirvan-kilim/").content.decode()

    assert f'<link rel="canonical" href="{ORIGIN}/az/products/shirvan-kilim/">' in html
    assert f'hreflang="ru" href="{ORIGIN}/ru/products/shirvan-kilim/"' in html
    assert f'hreflang="x-default" href="{ORIGIN}/products/shirvan-kilim/"' in html


def sitemap_urls(client) -> list[str]:
    """The sitemap pages the index at /sitemap.xml lists."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def sitemap_entries(client) -> dict[str, dict[str, str]]:
    """Every address in the sitemap with its alternates: {loc: {hreflang: href}}."""
    entries = {}
    for url in sitemap_urls(client):
        response = client.get(url.removeprefix(ORIGIN))
        assert response.status_code == 200
        for entry in ET.fromstring(response.content).findall(f"{SITEMAP}url"):
            entries[entry.find(f"{SITEMAP}loc").text] = {
                link.get("hreflang"): link.get("href") for link in entry.findall(f"{XHTML}link")
            }
    return entries


def test_the_sitemap_lists_products_categories_and_makers_in_every_language(client, kilim):
    entries = sitemap_entries(client)

    for path in (
        "products/shirvan-kilim/",
        "categories/rugs/",
        "categories/kilims/",
        "makers/nargiz/",
        "products/",
        "makers/",
        "",
    ):
        for prefix in ("", "az/", "ru/"):
            assert f"{ORIGIN}/{prefix}{path}" in entries
        assert entries[f"{ORIGIN}/ru/{path}"] == {
            "en": f"{ORIGIN}/{path}",
            "az": f"{ORIGIN}/az/{path}",
            "ru": f"{ORIGIN}/ru/{path}",
            "x-default": f"{ORIGIN}/{path}",
        }


def test_the_sitemap_leaves_out_what_is_not_public(client, kilim):
    listed_product(slug="draft-vase", status=ProductStatus.DRAFT, published_at=None)
    SellerFactory(slug="suspended-studio", status=SellerStatus.SUSPENDED)

    locations = " ".join(sitemap_entries(client))

    assert "draft-vase" not in locations
    assert "suspended-studio" not in locations


def test_the_sitemap_comes_in_pages_each_fetched_from_the_api_in_pages(
    client, settings, monkeypatch, eur_rate
):
    settings.GRAPHQL_MAX_PAGE_SIZE = 2
    monkeypatch.setattr(sitemaps, "ITEMS_PER_PAGE", 3)
    for i in range(5):
        listed_product(slug=f"bowl-{i}")

    urls = sitemap_urls(client)
    entries = sitemap_entries(client)

    assert [url for url in urls if "products" in url] == [
        f"{ORIGIN}/sitemap-products.xml",
        f"{ORIGIN}/sitemap-products.xml?p=2",
    ]
    products = {loc for loc in entries if "/products/bowl-" in loc}
    assert products == {
        f"{ORIGIN}/{prefix}products/bowl-{i}/" for i in range(5) for prefix in ("", "az/", "ru/")
    }
    assert client.get("/sitemap-products.xml?p=3").status_code == 404
    assert client.get("/sitemap-products.xml?p=x").status_code == 404
    assert client.get("/sitemap-products.xml?p=²").status_code == 404  # a digit int() refuses
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_the_sitemap_keeps_its_answer_a_few_minutes(client, kilim):
    first = sitemap_entries(client)
    listed_product(slug="bowl-new")

    with CaptureQueriesContext(connection) as queries:
        again = sitemap_entries(client)

    assert again == first
    assert len(queries) == 0


def test_the_sitemap_gives_each_product_its_last_change(client, kilim):
    root = ET.fromstring(client.get("/sitemap-products.xml").content)

    lastmods = {
        url.find(f"{SITEMAP}loc").text: url.find(f"{SITEMAP}lastmod")
        for url in root.findall(f"{SITEMAP}url")
    }

    changed = timezone.localtime(kilim.updated_at).date()
    assert lastmods[f"{ORIGIN}/products/shirvan-kilim/"].text == changed.isoformat()


def test_robots_txt_points_at_the_sitemap_and_lets_the_catalogue_be_crawled(client):
    text = client.get("/robots.txt").content.decode()

    assert f"Sitemap: {ORIGIN}/sitemap.xml" in text
    assert "Disallow: /products/" not in text
    assert "Disallow: /makers/" not in text

"""The makers' list (/makers/) and a maker's page (/makers/<slug>/): their story and their work,
a page at a time."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from market.catalog.models import ProductStatus
from market.sellers.models import Discipline, SellerStatus
from market.storefront.views import catalogue
from tests.factories import ProductImageFactory, SellerFactory, listed_product

pytestmark = pytest.mark.django_db


def maker_names(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/makers/[^"]*">([^<]*)</a></h2>', html)


def test_the_makers_list_shows_approved_makers_with_discipline_and_city(client):
    SellerFactory(name="Aysel Ceramics", discipline=Discipline.CRAFTS, city="Sheki")
    SellerFactory(name="Bakhram Beats", discipline=Discipline.MUSIC, city="Baku")
    for status in (SellerStatus.DRAFT, SellerStatus.SUBMITTED, SellerStatus.SUSPENDED):
        SellerFactory(name=f"Hidden {status}", status=status)

    response = client.get("/makers/")
    html = response.content.decode()

    assert response.status_code == 200
    assert maker_names(html) == ["Aysel Ceramics", "Bakhram Beats"]
    assert "Crafts · Sheki, Azerbaijan" in html
    assert "Music · Baku, Azerbaijan" in html
    assert "2 resident makers sell here." in html


def test_the_makers_list_comes_in_pages(client, monkeypatch):
    monkeypatch.setattr(catalogue, "MAKERS_PAGE_SIZE", 2)
    for name in ("Ada", "Bea", "Cem"):
        SellerFactory(name=name)

    second = client.get("/makers/", {"page": "2"}).content.decode()
    bad = client.get("/makers/", {"page": "-4"}).content.decode()

    assert maker_names(second) == ["Cem"]
    assert maker_names(bad) == ["Ada", "Bea"]
    assert client.get("/makers/", {"page": "3"}).status_code == 404


def test_a_makers_page_tells_their_story_and_shows_their_public_work(client):
    maker = SellerFactory(
        slug="aysel", name="Aysel Ceramics", bio="I throw pots in Sheki.", city="Sheki"
    )
    listed_product(name="Blue bowl", seller=maker)
    listed_product(name="Draft jug", seller=maker, status=ProductStatus.DRAFT)
    listed_product(name="Someone else's tar")

    response = client.get("/makers/aysel/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Aysel Ceramics</h1>" in html
    assert "I throw pots in Sheki." in html
    assert re.findall(r'<span class="name">([^<]*)</span>', html) == ["Blue bowl"]
    assert '<link rel="canonical" href="http://127.0.0.1:8000/makers/aysel/">' in html


def test_a_makers_work_comes_in_pages(client, monkeypatch):
    monkeypatch.setattr(catalogue, "PAGE_SIZE", 2)
    maker = SellerFactory(slug="aysel")
    for name in ("Bowl", "Cup", "Dish"):
        listed_product(name=name, seller=maker)

    second = client.get("/makers/aysel/", {"page": "2"})

    assert len(re.findall(r'<span class="name">', second.content.decode())) == 1
    assert 'href="http://127.0.0.1:8000/makers/aysel/?page=2"' in second.content.decode()
    assert client.get("/makers/aysel/", {"page": "3"}).status_code == 404


@pytest.mark.parametrize("status", [SellerStatus.SUSPENDED, SellerStatus.SUBMITTED])
def test_a_maker_who_is_not_public_is_not_found(client, status):
    maker = SellerFactory(slug="gone", name="Gone Studio", status=status)
    listed_product(seller=maker)

    response = client.get("/makers/gone/")

    assert response.status_code == 404
    assert "Gone Studio" not in response.content.decode()


def test_an_unknown_maker_is_not_found(client):
    assert client.get("/makers/no-such-maker/").status_code == 404


def test_queries_on_a_makers_page_do_not_grow_with_the_page_size(client, monkeypatch):
    maker = SellerFactory(slug="aysel")
    for _ in range(48):
        ProductImageFactory(product=listed_product(seller=maker))

    def count(size):
        monkeypatch.setattr(catalogue, "PAGE_SIZE", size)
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/makers/aysel/").content.decode()
        assert html.count('<li class="card">') == size
        return len(queries)

    # The first page view leaves the exchange rates in the shared cache for the next ones.
    client.get("/makers/aysel/")
    assert count(24) == count(48)


def test_queries_on_the_makers_list_do_not_grow_with_the_page_size(client, monkeypatch):
    for _ in range(48):
        SellerFactory()

    def count(size):
        monkeypatch.setattr(catalogue, "MAKERS_PAGE_SIZE", size)
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/makers/").content.decode()
        assert len(maker_names(html)) == size
        return len(queries)

    assert count(24) == count(48) == 2

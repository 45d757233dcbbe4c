"""What every storefront page shares: its languages, the visitor's currency and ship-to
country, robots.txt and the error pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from market.storefront import api
from market.storefront.preferences import COUNTRY_COOKIE, CURRENCY_COOKIE
from tests.factories import ExchangeRateFactory, listed_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(eur_rate):
    return listed_product(prices=(Decimal("20.00"),))


def test_the_home_page_answers_in_each_language_with_alternates(client, product):
    for prefix, language in (("", "en"), ("/az", "az"), ("/ru", "ru")):
        response = client.get(f"{prefix}/")

        assert response.status_code == 200
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        assert 'hreflang="az" href="http://127.0.0.1:8000/az/"' in html
        assert 'hreflang="x-default" href="http://127.0.0.1:8000/"' in html
        assert product.name in html


def test_prices_follow_the_browsers_country_until_the_visitor_chooses(client, product):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")

    assert "10.00" in response.content.decode()  # 20 AZN at 2 AZN per euro
    assert "€" in response.content.decode()


def test_a_chosen_currency_country_and_language_are_remembered(client, product):
    response = client.post(
        reverse("storefront:preferences"),
        {"language": "ru", "currency": "EUR", "country": "DE", "next": "/products/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/ru/products/"
    assert response.cookies[CURRENCY_COOKIE].value == "EUR"
    assert response.cookies[COUNTRY_COOKIE].value == "DE"
    page = client.get("/ru/").content.decode()
    assert "10,00\xa0€" in page  # euros, written the Russian way


def test_values_that_are_not_ours_fall_back_to_the_defaults(client, product):
    ExchangeRateFactory(currency="USD", rate="1.7000")
    client.cookies[CURRENCY_COOKIE] = "XXX"
    client.cookies[COUNTRY_COOKIE] = "<script>"

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US")

    assert response.status_code == 200
    assert "$11.76" in response.content.decode()  # 20 AZN at 1.70 AZN per dollar


def test_a_currency_without_a_known_rate_shows_base_prices_instead_of_failing(client, product):
    client.cookies[CURRENCY_COOKIE] = "JPY"

    response = client.get("/")

    assert response.status_code == 200
    assert "₼" in response.content.decode() or "AZN" in response.content.decode()


def test_preferences_never_send_the_visitor_to_another_site(client):
    response = client.post(
        reverse("storefront:preferences"), {"currency": "EUR", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_preferences_need_the_forms_csrf_token():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        reverse("storefront:preferences"), {"currency": "EUR"}
    )

    assert response.status_code == 403


def test_robots_txt_points_at_the_sitemap_and_keeps_private_pages_out(client):
    text = client.get("/robots.txt").content.decode()

    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in text
    assert "Disallow: /checkout/" in text


def test_an_unknown_address_is_the_sites_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_every_storefront_operation_is_valid_against_the_schema():
    for path in sorted(api.OPERATIONS_DIR.glob("*.graphql")):
        assert api.operation_document(path.stem) is not None

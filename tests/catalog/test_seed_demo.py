from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from market.catalog.models import Product, ProductImage, ProductStatus, ProductVariant
from market.core.models import ExchangeRate
from market.core.selectors import exchange_rates_status
from market.payouts.selectors import payout_status_get
from market.sellers.models import Seller
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO(), verbosity=0)
    return out.getvalue()


def test_demo_catalogue_is_listable_in_foreign_currencies(gql):
    seed("--products", "40")

    assert Product.objects.count() == 40
    assert Seller.objects.count() >= 10
    assert ExchangeRate.objects.filter(currency="EUR").exists()
    published = Product.objects.filter(status=ProductStatus.PUBLISHED)
    assert published.filter(price_min_amount__isnull=True).count() == 0
    assert ProductVariant.objects.filter(product__in=published).count() >= published.count()
    assert ProductImage.objects.exclude(thumbnail="").count() == ProductImage.objects.count() > 0
    assert all(len(p.hs_code) in range(6, 11) for p in published)
    data = gql.execute(
        '{ products(first: 5, currency: "EUR") { totalCount edges { node { '
        "priceRange { start { currency } } thumbnail { thumbnailUrl } } } } }"
    )
    assert data["products"]["totalCount"] == published.count()
    assert {e["node"]["priceRange"]["start"]["currency"] for e in data["products"]["edges"]} == {
        "EUR"
    }


def test_if_empty_loads_the_demo_only_once():
    seed("--products", "10")

    output = seed("--products", "10", "--if-empty")

    assert Product.objects.count() == 10
    assert "nothing seeded" in output


def test_the_same_seed_gives_the_same_catalogue():
    seed("--products", "15", "--seed", "7")
    first = list(Product.objects.order_by("pk").values_list("name", "hs_code"))

    seed("--products", "15", "--seed", "7", "--reset")

    assert list(Product.objects.order_by("pk").values_list("name", "hs_code")) == first


SIGN_IN = """mutation($email: String!, $password: String!) {
  tokenCreate(email: $email, password: $password) { accessToken errors { code } } }"""


def test_demo_makers_sign_in_with_the_documented_password_and_see_their_shop(settings):
    settings.DEBUG = True
    seed("--products", "30")
    seller = Seller.objects.get(slug="buta-carpet-atelier")
    client = GraphQLClient()

    token = client.execute(
        SIGN_IN, {"email": "buta-carpet-atelier@makers.example.com", "password": "maker-demo"}
    )["tokenCreate"]
    client.headers["Authorization"] = f"Bearer {token['accessToken']}"
    data = client.execute(
        "{ sellerProducts(first: 100) { totalCount } sellerOrders(first: 5) { totalCount } }"
    )

    assert token["errors"] == []
    assert data == {
        "sellerProducts": {"totalCount": seller.products.count()},
        "sellerOrders": {"totalCount": 0},
    }
    assert seller.products.count() > 0
    assert Seller.objects.filter(user__isnull=True).count() == 0
    assert not seller.user.is_staff


def test_maker_sign_ins_are_created_only_when_debug_is_on(settings):
    settings.DEBUG = False

    seed("--products", "5")

    assert Seller.objects.count() >= 10
    assert Seller.objects.filter(user__isnull=False).count() == 0
    assert get_user_model().objects.count() == 0


def test_a_fresh_demo_does_not_report_its_exchange_rates_as_stale():
    seed("--products", "5")

    status = exchange_rates_status()

    assert status.is_stale is False
    assert status.source == "cbar.az sample of 2018-10-30"


def test_demo_makers_are_paid_to_bank_accounts_the_demo_admin_verified(settings):
    settings.DEBUG = True

    seed("--products", "5")

    sellers = list(Seller.objects.all())
    admin = get_user_model().objects.get(email="admin@example.com")
    assert all(payout_status_get(seller=seller).is_ready for seller in sellers)
    assert {seller.payout_account.bank_verified_by for seller in sellers} == {admin}


def test_after_a_reset_the_makers_sign_in_to_their_new_shops(settings):
    settings.DEBUG = True
    seed("--products", "5")

    seed("--products", "5", "--reset")

    seller = Seller.objects.get(slug="sheki-silk-house")
    assert seller.user.email == "sheki-silk-house@makers.example.com"
    assert seller.user.check_password("maker-demo")
    assert Seller.objects.filter(user__isnull=True).count() == 0

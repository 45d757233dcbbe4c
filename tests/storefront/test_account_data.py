"""Your data, under the account: download everything we hold as a JSON file, and delete the
account with the password and a ticked box; a refused deletion says why and changes nothing."""

import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from market.accounts.models import User
from market.core.models import PersonalDataAccess
from market.orders.models import Order
from tests.authorization.world import database_snapshot
from tests.factories import UserFactory, placed_order
from tests.privacy.helpers import delivered_order

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"  # what UserFactory sets
DATA = reverse("storefront:account_data")
DOWNLOAD = reverse("storefront:account_data_download")
DELETE = reverse("storefront:account_delete")


@pytest.fixture(autouse=True)
def _fresh_sign_in_limits():
    cache.clear()


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("storefront:sign_in"), {"email": email, "password": password})


@pytest.fixture
def leyla(client):
    """A buyer signed in through the sign-in page, as a visitor would be."""
    person = UserFactory(email="leyla@example.com", first_name="Leyla", last_name="Mammadova")
    assert sign_in(client, person.email).status_code == 302
    return person


def delete(client, *, password=PASSWORD, confirm="yes", prefix=""):
    return client.post(prefix + DELETE, {"password": password, "confirm": confirm})


def test_the_account_page_links_to_your_data(client, leyla):
    page = client.get(reverse("storefront:account")).content.decode()

    assert f'href="{DATA}"' in page


def test_your_data_page_offers_the_download_and_the_delete_form(client, leyla):
    response = client.get(DATA)

    page = response.content.decode()
    assert response.status_code == 200
    assert f'action="{DOWNLOAD}"' in page and f'action="{DELETE}"' in page
    forms = {form.split('"', 1)[0]: form for form in page.split('<form method="post" action="')}
    assert "csrfmiddlewaretoken" in forms[DOWNLOAD] and "csrfmiddlewaretoken" in forms[DELETE]
    assert 'name="password" type="password" autocomplete="current-password"' in page
    assert 'id="confirm" type="checkbox" name="confirm" value="yes"' in page
    assert '<label for="confirm">' in page


def test_download_is_a_json_attachment_with_the_visitors_data(client, leyla):
    order, _a, _b = placed_order(buyer=leyla, email=leyla.email)

    response = client.post(DOWNLOAD)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    today = timezone.now().date().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="creative-market-data-{today}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["format"] == "creative-market-personal-data/1"
    assert (data["account"]["email"], data["account"]["first_name"]) == (
        "leyla@example.com",
        "Leyla",
    )
    assert [o["number"] for o in data["orders"]] == [order.number]
    assert list(
        PersonalDataAccess.objects.filter(subject=leyla).values_list("actor_id", "action")
    ) == [(leyla.pk, "export")]


def test_download_needs_a_post(client, leyla):
    assert client.get(DOWNLOAD).status_code == 405
    assert not PersonalDataAccess.objects.exists()


def test_posts_without_the_csrf_token_are_refused(leyla):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(leyla)

    assert browser.post(DOWNLOAD).status_code == 403
    assert browser.post(DELETE, {"password": PASSWORD, "confirm": "yes"}).status_code == 403
    assert User.objects.get(pk=leyla.pk).is_active
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("method, address", [("get", DATA), ("post", DOWNLOAD), ("post", DELETE)])
def test_anonymous_visitor_is_sent_to_sign_in(client, method, address):
    response = getattr(client, method)(address, {"password": PASSWORD, "confirm": "yes"})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('storefront:sign_in')}?next=%2Faccount%2Fdata%2F"
    assert not PersonalDataAccess.objects.exists()


def test_delete_with_a_wrong_password_is_refused_and_nothing_changes(client, leyla):
    before = database_snapshot()

    response = delete(client, password="not my password")

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="password-error"' in page and "The password is not correct." in page
    assert database_snapshot() == before
    assert client.session["_auth_user_id"] == str(leyla.pk)


def test_delete_without_the_ticked_box_is_refused_and_nothing_changes(client, leyla):
    before = database_snapshot()

    response = delete(client, confirm="")

    assert response.status_code == 400
    assert 'id="confirm-error"' in response.content.decode()
    assert database_snapshot() == before


def test_delete_refused_while_an_order_is_unpaid_shows_the_reason(client, leyla):
    order, _a, _b = placed_order(buyer=leyla, email=leyla.email)
    before = database_snapshot()

    response = delete(client)

    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "We cannot delete your account yet, and nothing was changed." in page
    assert f"<p>Orders {order.number} are not settled yet" in page  # the API's own words
    assert database_snapshot() == before
    assert client.session["_auth_user_id"] == str(leyla.pk)


def test_delete_refused_in_the_refund_window_says_why_in_the_visitors_language(client, leyla):
    order, _a, _b = delivered_order(buyer=leyla, days_ago=3)
    before = database_snapshot()

    response = delete(client, prefix="/ru")

    page = response.content.decode()
    with translation.override("ru"):
        refused = gettext("We cannot delete your account yet, and nothing was changed.")
        reason = gettext(
            "An order or your shop's money is not settled: unpaid orders must be cancelled "
            "first, the others delivered and past the %(days)s-day refund window, and a shop's "
            "payouts paid and its balance at zero."
        ) % {"days": 14}
    assert refused.startswith("Мы ") and "14" in reason
    assert response.status_code == 400
    assert escape(refused) in page and escape(reason) in page
    assert f'<p lang="en">Orders {order.number} are not settled yet' in page
    assert database_snapshot() == before


def test_delete_signs_out_and_the_account_cannot_sign_in_again(client, leyla):
    response = delete(client)

    assert response["Location"] == reverse("storefront:account_deleted")
    assert "_auth_user_id" not in client.session
    confirmation = client.get(response["Location"])
    assert "Your account is deleted" in confirmation.content.decode()
    assert client.get(response["Location"])["Location"] == reverse("storefront:home")  # once
    erased = User.objects.get(pk=leyla.pk)
    assert (erased.is_active, erased.email) == (False, f"erased-{leyla.pk}@erased.invalid")
    assert client.get(DATA).status_code == 302
    refused = sign_in(client, "leyla@example.com")
    assert refused.status_code == 400
    assert "_auth_user_id" not in client.session


def test_delete_keeps_the_settled_orders_without_the_person(client, leyla):
    order, _a, _b = delivered_order(buyer=leyla, days_ago=30)

    assert delete(client).status_code == 302

    order = Order.objects.get(pk=order.pk)
    assert order.email == f"erased-{leyla.pk}@erased.invalid"
    assert order.shipping_address == {"name": "erased", "country": "AZ"}

"""Account pages: register, the verification link from our e-mail, sign in (a session) and
out, the password-reset link, and the account page with the buyer's orders and addresses."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from market.accounts.models import RefreshToken, User
from tests.factories import UserFactory
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
STRONG = "a long and unusual passphrase"


@pytest.fixture(autouse=True)
def _fresh_sign_in_limits():
    cache.clear()


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    from workers.app import app

    app.conf.task_always_eager = True
    try:
        yield lambda: django_capture_on_commit_callbacks(execute=True)
    finally:
        app.conf.task_always_eager = False


def link_in(body: str) -> str:
    """The storefront link in an e-mail, as a path with its query."""
    url = re.search(r"(https?://\S+)", body).group(1)
    return re.sub(r"^https?://[^/]+", "", url)


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post(
        reverse("storefront:sign_in"), {"email": email, "password": password, **extra}
    )


def test_register_verify_sign_in_buy_and_find_the_order_under_the_account(
    client, run_on_commit, eur_rate
):
    with run_on_commit():
        response = client.post(
            reverse("storefront:register"),
            {"email": "ada@example.com", "password": STRONG, "firstName": "Ada"},
        )
    assert response["Location"] == reverse("storefront:sign_in")
    [message] = mail.outbox

    page = client.get(link_in(message.body))

    assert page.status_code == 200
    assert "ada@example.com is confirmed" in page.content.decode()
    assert User.objects.get(email="ada@example.com").is_email_verified
    assert sign_in(client, "ada@example.com", STRONG)["Location"] == reverse("storefront:account")

    variants, method = makers_shipping_to_germany(1)
    visitor_in_germany(client)
    add_to_cart(client, variants[0])
    checkout_page = client.get(reverse("storefront:checkout")).content.decode()
    assert 'value="ada@example.com"' in checkout_page  # prefilled
    save_details(client, email="ada@example.com")
    choose_delivery(client, variants, method)
    order_page = place_order(client)["Location"]
    client.post(order_page.split("#")[0], {"card": SUCCEEDS, "attempt": "x1"})

    account = client.get(reverse("storefront:account")).content.decode()
    assert "CM-" in account and order_page.split("#")[0] in account
    assert "Unter den Linden 1" in account  # the address used
    assert "paid" in account


def test_registration_errors_are_shown_at_the_field(client):
    response = client.post(
        reverse("storefront:register"), {"email": "ada@example.com", "password": "12345678"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="password-error"' in page
    assert 'value="ada@example.com"' in page
    assert not User.objects.exists()


def test_a_forged_verification_link_says_so(client):
    UserFactory(email="ada@example.com", is_email_verified=False)

    response = client.get(reverse("storefront:verify_email") + "?email=ada@example.com&token=x")

    assert response.status_code == 400
    assert not User.objects.get().is_email_verified


def test_a_wrong_password_is_refused_and_nobody_is_signed_in(client):
    UserFactory(email="ada@example.com")

    response = sign_in(client, "ada@example.com", "wrong")

    assert response.status_code == 400
    assert 'value="ada@example.com"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_is_throttled_like_the_api(client):
    UserFactory(email="ada@example.com")
    for _ in range(12):
        response = sign_in(client, "ada@example.com", "wrong")

    assert "Too many" in response.content.decode()
    assert sign_in(client, "ada@example.com").status_code == 400


def test_sign_in_goes_back_to_next_and_never_elsewhere(client):
    UserFactory(email="ada@example.com")

    assert sign_in(client, "ada@example.com", next="/cart/")["Location"] == "/cart/"
    client.logout()
    cache.clear()
    assert (
        sign_in(client, "ada@example.com", next="https://evil.example/")["Location"] == "/account/"
    )


def test_signing_out_revokes_the_sign_ins_token_and_ends_the_session(client):
    user = UserFactory(email="ada@example.com")
    sign_in(client, "ada@example.com")
    assert RefreshToken.objects.filter(user=user, revoked_at__isnull=True).count() == 1

    response = client.post(reverse("storefront:sign_out"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert not RefreshToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert client.get(reverse("storefront:sign_out")).status_code == 405


def test_the_account_page_asks_a_guest_to_sign_in(client):
    response = client.get(reverse("storefront:account"))

    assert response["Location"] == "/account/sign-in/?next=%2Faccount%2F"


def test_the_reset_link_from_our_email_sets_a_new_password(client, run_on_commit):
    UserFactory(email="ada@example.com")
    with run_on_commit():
        client.post(reverse("storefront:password_forgot"), {"email": "ada@example.com"})
    [message] = mail.outbox
    link = link_in(message.body)
    assert link.startswith("/reset-password/?")
    assert client.get(link).status_code == 200
    email, token = re.search(r"email=([^&]+)&token=(\S+)", link).groups()

    response = client.post(
        link, {"email": email.replace("%40", "@"), "token": token, "password": STRONG}
    )

    assert response["Location"] == reverse("storefront:sign_in")
    assert User.objects.get().check_password(STRONG)


def test_a_forgotten_password_answers_alike_for_unknown_addresses(client, run_on_commit):
    with run_on_commit():
        response = client.post(
            reverse("storefront:password_forgot"), {"email": "nobody@example.com"}
        )

    assert response.status_code == 302
    assert mail.outbox == []


def test_the_order_emails_link_leads_to_the_order_page(client, run_on_commit, eur_rate):
    variants, method = makers_shipping_to_germany(1)
    visitor_in_germany(client)
    add_to_cart(client, variants[0])
    save_details(client)
    choose_delivery(client, variants, method)
    with run_on_commit():
        place_order(client)
    buyer = next(m for m in mail.outbox if m.to == ["anna@example.com"])

    page = Client().get(link_in(buyer.body))

    assert page.status_code == 200
    assert "awaiting payment" in page.content.decode()


@pytest.mark.parametrize(
    "name", ["register", "sign_in", "sign_out", "password_forgot", "password_reset"]
)
def test_every_account_form_needs_its_csrf_token(name):
    response = Client(enforce_csrf_checks=True).post(reverse(f"storefront:{name}"), {})

    assert response.status_code == 403

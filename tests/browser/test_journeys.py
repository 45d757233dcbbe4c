"""The buyers' journeys of issue #11 in headless chromium: a guest abroad, a registered buyer,
the same in Azerbaijani, bad input on the way, and (issue 12) a buyer who downloads their data
and deletes their account."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DECLINES, SUCCEEDS, link_in_mail
from tests.browser.shopper import BERLIN, Shopper
from tests.browser.visitors import placed_order

pytestmark = pytest.mark.browser

ATELIER, STUDIO = "Buta Carpet Atelier", "Shirvan Ceramics"


def _fill_cart_from_two_makers(shopper: Shopper) -> None:
    """Search, filter by maker, open a carpet, pick its large size, add it; then a bowl from
    the other maker."""
    shopper.search("carpet")
    expect(shopper.results()).to_contain_text(["Garden Carpet", "Prayer Rug"], ignore_case=True)
    shopper.filter_by_maker(ATELIER)
    expect(shopper.results().filter(has_text="Caspian Bowl")).to_have_count(0)
    shopper.open_product("Garden Carpet")
    shopper.at("/products/garden-carpet/")
    shopper.choose_variant("Large")
    shopper.add_to_cart(then_count=1)

    shopper.search("bowl")
    shopper.open_product("Caspian Bowl")
    shopper.add_to_cart(then_count=2)


def _check_out_to_berlin(shopper: Shopper, *, email: str | None) -> str:
    """Cart → checkout with a Berlin address, the first delivery of each maker, DAP; the
    placed order's token."""
    shopper.go_to_cart(2)
    expect(shopper.page.get_by_role("main")).to_contain_text("Garden Carpet")
    expect(shopper.page.get_by_role("main")).to_contain_text("Caspian Bowl")
    shopper.checkout()
    shopper.give_details(email=email)
    shopper.choose_delivery(makers=[ATELIER, STUDIO], incoterm="DAP")
    review = shopper.page.locator("#review")
    expect(review).to_contain_text("€")
    expect(review).to_contain_text(ATELIER)
    expect(review).to_contain_text(STUDIO)
    return shopper.place_order()


def _order_of(token: str):
    from market.orders.models import Order

    return Order.objects.prefetch_related("parts").get(token=token)


def test_a_guest_abroad_finds_work_of_two_makers_and_pays_in_euros(shop, page, screenshot):
    """(a) Search → filter → product → variant → two makers' work → EUR and Germany →
    checkout with DAP → the test card → the order's status page."""
    shopper = Shopper(page)
    page.goto("/")

    _fill_cart_from_two_makers(shopper)
    shopper.choose(currency="EUR", country="DE")
    expect(page.locator(".price").first).to_contain_text("€")
    token = _check_out_to_berlin(shopper, email="guest@example.com")
    shopper.pay(SUCCEEDS)

    shopper.at(f"/orders/{token}/")
    expect(shopper.status()).to_have_text(shopper.t("paid"))
    expect(page.get_by_role("main")).to_contain_text(ATELIER)
    expect(page.get_by_role("main")).to_contain_text(STUDIO)
    screenshot(page, "journey-guest-paid")
    order = _order_of(token)
    assert (order.status, order.currency, order.incoterm) == ("paid", "EUR", "DAP")
    assert order.shipping_address["country"] == "DE"
    assert order.parts.count() == 2


def _register_verify_and_sign_in(shopper: Shopper, email: str, password: str) -> None:
    language = shopper.language
    shopper.register(email=email, password=password)
    link = link_in_mail(email, "verify-email")
    shopper.page.goto(link)
    expect(shopper.page.get_by_role("status").filter(has_text=email)).to_be_visible()
    if language != "en":
        # The e-mail's link has no language in it: the page answers in the default one, and
        # the buyer switches back.
        shopper.language = "en"
        shopper.choose(language=language)
    shopper.page.get_by_role("main").get_by_role("link", name=shopper.t("Sign in")).click()
    shopper.at("/account/sign-in/")
    shopper.sign_in(email=email, password=password)


def test_a_registered_buyer_finds_the_order_under_the_account(shop, page, eager_tasks, screenshot):
    """(b) Register → the verification link from the e-mail → sign in → buy → the order is
    listed under /account/."""
    shopper = Shopper(page)
    email, password = "leyla@example.com", "a long and unusual passphrase"

    _register_verify_and_sign_in(shopper, email, password)
    page.goto("/")
    _fill_cart_from_two_makers(shopper)
    shopper.choose(currency="EUR", country="DE")
    token = _check_out_to_berlin(shopper, email=email)
    shopper.pay(SUCCEEDS)
    page.goto("/account/")

    order = _order_of(token)
    orders = page.get_by_role("main").get_by_role("table")
    expect(orders.get_by_role("link", name=str(order.number))).to_be_visible()
    orders.get_by_role("link", name=str(order.number)).click()
    shopper.at(f"/orders/{token}/")
    screenshot(page, "journey-account-order")
    assert order.user.email == email and order.user.is_email_verified


def test_the_same_journey_in_azerbaijani(shop, page, eager_tasks):
    """(c) The buyer switches to Azerbaijani with the "Language" control and stays in /az/
    through registration, checkout, payment and the account."""
    shopper = Shopper(page)
    email, password = "nigar@example.com", "another long passphrase"
    page.goto("/")

    shopper.choose(language="az")
    shopper.at("/")
    _register_verify_and_sign_in(shopper, email, password)
    shopper.at("/account/")
    page.goto("/az/")
    _fill_cart_from_two_makers(shopper)
    shopper.choose(currency="EUR", country="DE")
    token = _check_out_to_berlin(shopper, email=email)
    shopper.pay(SUCCEEDS)
    shopper.at(f"/orders/{token}/")
    expect(shopper.status()).to_have_text(shopper.t("paid"))
    page.get_by_role("navigation", name=shopper.t("Main")).get_by_role(
        "link", name=shopper.t("Account")
    ).click()

    shopper.at("/account/")
    expect(page.get_by_role("main")).to_contain_text(str(_order_of(token).number))


# --- Your data: download it, delete the account (issue 12) ----------------------------------


def test_a_buyer_downloads_their_data_and_deletes_the_account(shop, page, axe, screenshot):
    """Sign in → Account → Your data → the JSON file downloads; deleting is refused while an
    order is unpaid and says why; once it is cancelled the account is deleted, the buyer is
    signed out and cannot sign in again. No JavaScript is needed for any of it."""
    from market.accounts.models import User
    from market.orders.services import order_cancel
    from tests.browser.conftest import PASSWORD
    from tests.factories import UserFactory

    leyla = UserFactory(email="leyla@example.com", first_name="Leyla")
    variants = [shop.products["caspian-bowl"].variants.get()]
    token = placed_order(variants=variants, user=leyla)
    order = _order_of(token)
    shopper = Shopper(page)
    page.goto("/account/")
    shopper.sign_in(email=leyla.email, password=PASSWORD)
    shopper.at("/account/")
    page.get_by_role("link", name=shopper.t("Download my data or delete my account")).click()
    shopper.at("/account/data/")
    axe(page)

    with page.expect_download() as download:
        page.get_by_role("button", name=shopper.t("Download my data")).click()
    assert re.fullmatch(
        r"creative-market-data-\d{4}-\d{2}-\d{2}\.json", download.value.suggested_filename
    )
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["account"]["email"] == "leyla@example.com"
    assert [o["number"] for o in data["orders"]] == [order.number]

    delete = page.get_by_role("button", name=shopper.t("Delete my account"))
    page.get_by_label(shopper.t("Your password"), exact=True).fill(PASSWORD)
    page.get_by_label(shopper.t("I want my account and my personal data deleted.")).check()
    delete.click()
    shopper.at("/account/delete/")
    expect(page.get_by_role("alert")).to_contain_text(f"Orders {order.number} are not settled")
    screenshot(page, "journey-delete-refused")
    assert User.objects.get(pk=leyla.pk).is_active

    order_cancel(order=order, actor=leyla)
    page.get_by_label(shopper.t("Your password"), exact=True).fill(PASSWORD)
    page.get_by_label(shopper.t("I want my account and my personal data deleted.")).check()
    page.get_by_role("button", name=shopper.t("Delete my account")).click()
    shopper.at("/account/deleted/")
    expect(page.get_by_role("heading", level=1)).to_have_text(shopper.t("Your account is deleted"))
    axe(page)
    screenshot(page, "journey-account-deleted")

    page.goto("/account/")
    shopper.at("/account/sign-in/")
    shopper.sign_in(email=leyla.email, password=PASSWORD)
    shopper.at("/account/sign-in/")
    assert not User.objects.get(pk=leyla.pk).is_active


# --- (d) Bad input ---------------------------------------------------------------------------


def _at_checkout_with_a_bowl(page) -> Shopper:
    """A guest in Germany paying in euros, at checkout with one bowl in the cart."""
    shopper = Shopper(page)
    page.goto("/products/caspian-bowl/")
    shopper.add_to_cart(then_count=1)
    shopper.choose(currency="EUR", country="DE")
    shopper.go_to_cart(1)
    shopper.checkout()
    return shopper


def test_an_invalid_postal_code_is_shown_at_its_field_with_what_was_typed(shop, page):
    """The API's message sits beside the postal code, which keeps what was typed and says it
    is invalid; the other fields keep theirs too."""
    shopper = _at_checkout_with_a_bowl(page)

    shopper.give_details(email="guest@example.com", address={**BERLIN, "Postal code": "10A 15"})

    postal_code = shopper.shipping_address().get_by_label(shopper.t("Postal code"), exact=True)
    expect(postal_code).to_have_value("10A 15")
    expect(postal_code).to_have_attribute("aria-invalid", "true")
    error_id = f"{postal_code.get_attribute('id')}-error"
    expect(page.locator(f"[id='{error_id}']")).to_be_visible()
    assert error_id in (postal_code.get_attribute("aria-describedby") or "").split()
    expect(shopper.shipping_address().get_by_label(shopper.t("City"), exact=True)).to_have_value(
        "Berlin"
    )


def test_a_declined_card_says_so_and_the_order_stays_payable(shop, page):
    """A declined card is reported at the card field; the order is still awaiting payment,
    and the next card pays it."""
    shopper = _at_checkout_with_a_bowl(page)
    shopper.give_details(email="guest@example.com")
    shopper.choose_delivery(makers=[STUDIO])
    token = shopper.place_order()

    shopper.pay(DECLINES)

    pay = page.locator("#pay")
    expect(pay).to_contain_text(re.compile("declined", re.IGNORECASE))
    expect(pay.get_by_label(shopper.t("Card number"))).to_have_value(re.compile(DECLINES[-4:]))
    expect(shopper.status()).to_have_text(shopper.t("awaiting payment"))
    assert _order_of(token).status == "unpaid"

    shopper.pay(SUCCEEDS)

    expect(shopper.status()).to_have_text(shopper.t("paid"))
    assert _order_of(token).status == "paid"


def test_a_last_unit_another_buyer_took_is_explained_in_the_cart(shop, page, settings, screenshot):
    """The buyer's hold on the last rug lapsed and another buyer bought it: the cart says so
    at the line, and checkout is not offered as if nothing happened."""
    settings.CHECKOUT_RESERVATION_SECONDS = 0  # a hold lapses at once
    shopper = Shopper(page)
    page.goto("/products/last-prayer-rug/")
    shopper.add_to_cart(then_count=1)
    _another_buyer_buys(shop.products["last-prayer-rug"].variants.get())

    shopper.go_to_cart(1)

    line = page.locator(".cart-line").filter(has_text="Prayer Rug")
    expect(line.get_by_role("alert")).to_be_visible()
    expect(line.get_by_role("alert")).not_to_be_empty()
    expect(line.get_by_role("spinbutton")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "cart-last-unit-taken")


def _another_buyer_buys(variant) -> None:
    placed_order(variants=[variant])
    variant.refresh_from_db()
    assert variant.stock_quantity == 0

"""A buyer at the storefront, step by step, the way a person (or a screen reader) finds the
controls: by role and accessible name, in the page's language.

The names are the storefront's own strings run through Django's translation catalogue for the
shopper's language, so the same journey works in English and in Azerbaijani whatever the
catalogues say today (until the translations land, Azerbaijani pages speak English)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.utils import translation
from playwright.sync_api import Page, expect

BERLIN = {
    "Full name": "Anna Schmidt",
    "Street and number": "Unter den Linden 1",
    "City": "Berlin",
    "Postal code": "10115",
}


class Shopper:
    def __init__(self, page: Page, *, language: str = "en") -> None:
        self.page = page
        self.language = language

    # --- words, in the shopper's language ---------------------------------------------------

    def t(self, text: str, **values: object) -> str:
        with translation.override(self.language):
            translated = translation.gettext(text)
        return translated % values if values else translated

    def tn(self, singular: str, plural: str, count: int, **values: object) -> str:
        with translation.override(self.language):
            translated = translation.ngettext(singular, plural, count)
        return translated % {"counter": count, **values}

    @property
    def prefix(self) -> str:
        return "" if self.language == "en" else f"/{self.language}"

    def at(self, path: str) -> None:
        """The page is at ``path`` (in the shopper's language; a regex; a query or fragment
        may follow)."""
        self.page.wait_for_url(re.compile(rf"^https?://[^/]+{self.prefix}{path}([?#].*)?$"))
        expect(self.page.locator("html")).to_have_attribute("lang", self.language)

    def cart_link(self, count: int):
        return self.page.get_by_role("navigation", name=self.t("Main")).get_by_role(
            "link",
            name=self.tn("Cart (%(counter)s item)", "Cart (%(counter)s items)", count),
            exact=True,
        )

    # --- steps ------------------------------------------------------------------------------

    def search(self, words: str) -> None:
        search = self.page.get_by_role("search")
        search.get_by_role("searchbox", name=self.t("Search")).fill(words)
        search.get_by_role("button", name=self.t("Search")).click()
        self.at("/products/")

    def filter_by_maker(self, maker: str) -> None:
        self.page.get_by_label(self.t("Maker"), exact=True).select_option(label=maker)
        self.page.get_by_role("button", name=self.t("Apply filters")).click()
        self.page.wait_for_url(re.compile(r"[?&]maker="))

    def results(self):
        """The names of the products the catalogue lists."""
        return self.page.locator("#results .card .name")

    def open_product(self, name: str) -> None:
        self.page.get_by_role("link", name=name).first.click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text(name)

    def choose_variant(self, starts_with: str) -> None:
        self.page.get_by_role("radio", name=re.compile(rf"^{re.escape(starts_with)}")).check()

    def add_to_cart(self, *, then_count: int) -> None:
        self.page.get_by_role("button", name=self.t("Add to cart")).click()
        expect(self.cart_link(then_count)).to_be_visible()

    def choose(
        self,
        *,
        language: str | None = None,
        currency: str | None = None,
        country: str | None = None,
    ) -> None:
        """The header's preferences: language, currency and ship-to country, then Apply."""
        form = self.page.locator("form.preferences")
        if language is not None:
            form.get_by_label(self.t("Language")).select_option(language)
        if currency is not None:
            form.get_by_label(self.t("Currency")).select_option(currency)
        if country is not None:
            form.get_by_label(self.t("Ship to")).select_option(country)
        form.get_by_role("button", name=self.t("Apply")).click()
        if language is not None:
            self.language = language
        self.page.wait_for_load_state()
        expect(self.page.locator("html")).to_have_attribute("lang", self.language)

    def go_to_cart(self, count: int) -> None:
        self.cart_link(count).click()
        self.at("/cart/")

    def checkout(self) -> None:
        self.page.get_by_role("link", name=self.t("Checkout"), exact=True).click()
        self.at("/checkout/")

    def shipping_address(self):
        return self.page.get_by_role("group", name=self.t("Shipping address"))

    def give_details(self, *, email: str | None, address: dict[str, str] = BERLIN) -> None:
        if email is not None:
            self.page.get_by_label(self.t("E-mail"), exact=True).fill(email)
        shipping = self.shipping_address()
        shipping.get_by_label(self.t("Country"), exact=True).select_option("DE")
        for label, value in address.items():
            shipping.get_by_label(self.t(label), exact=True).fill(value)
        same = self.page.get_by_role("checkbox", name=self.t("Same as the shipping address"))
        if same.count():
            same.check()
        self.page.get_by_role("button", name=self.t("Save and choose delivery")).click()
        self.at("/checkout/")

    def choose_delivery(self, *, makers: list[str], incoterm: str = "DAP") -> None:
        for maker in makers:
            group = self.page.get_by_role(
                "group", name=self.t("Delivery of the items from %(maker)s", maker=maker)
            )
            group.get_by_role("radio").first.check()
        self.page.get_by_role("radio", name=re.compile(rf"^{incoterm}:")).check()
        self.page.get_by_role("button", name=self.t("Save delivery")).click()
        self.at("/checkout/")

    def place_order(self) -> str:
        """Place the order; its status page's token."""
        self.page.get_by_role("button", name=self.t("Place order")).click()
        self.at("/orders/[0-9a-f-]{36}/")
        return urlsplit(self.page.url).path.rstrip("/").split("/")[-1]

    def pay(self, card: str) -> None:
        pay = self.page.locator("#pay")
        pay.get_by_label(self.t("Card number")).fill(card)
        pay.get_by_role("button", name=self.t("Pay"), exact=True).click()
        self.page.wait_for_load_state()

    def register(self, *, email: str, password: str) -> None:
        self.page.goto(f"{self.prefix}/account/register/")
        self.page.get_by_label(self.t("E-mail"), exact=True).fill(email)
        self.page.get_by_label(self.t("Password"), exact=True).fill(password)
        self.page.get_by_role("button", name=self.t("Create account")).click()
        self.page.wait_for_load_state()

    def sign_in(self, *, email: str, password: str) -> None:
        self.page.get_by_label(self.t("E-mail"), exact=True).fill(email)
        self.page.get_by_label(self.t("Password"), exact=True).fill(password)
        self.page.get_by_role("main").get_by_role("button", name=self.t("Sign in")).click()
        self.page.wait_for_load_state()

    def status(self):
        """The order's status line."""
        return self.page.locator(".status strong").first

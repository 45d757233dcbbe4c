"""Keyboard only: from the catalogue to a product and into the cart with Tab and Enter, and
every control on the way shows where the focus is."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.shopper import Shopper

pytestmark = pytest.mark.browser

MAX_TABS = 120  # the header, filters and a page of cards fit well within this

FOCUS_RING = """el => {
  const style = getComputedStyle(el);
  return {
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== "none",
  };
}"""


def tab_to(page, target) -> int:
    """Press Tab until ``target`` has the focus; how many presses it took. Each element the
    focus lands on must show it (an outline of at least 2 px, or a box shadow)."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        focused = page.locator("*:focus")
        ring = focused.evaluate(FOCUS_RING)
        assert ring["outline"] or ring["shadow"], (
            f"no visible focus on {focused.evaluate('el => el.outerHTML.slice(0, 160)')}"
        )
        if target.evaluate("el => el === document.activeElement"):
            return presses
    raise AssertionError(f"{target} never got the focus in {MAX_TABS} presses of Tab")


def test_catalogue_to_cart_with_the_keyboard_alone(shop, page):
    """Tab to a product in the catalogue, Enter; Tab to "Add to cart", Enter: it is in the
    cart, and the focus was visible at every stop."""
    shopper = Shopper(page)
    page.goto("/products/")

    tab_to(page, page.get_by_role("link", name="Garden Carpet").first)
    page.keyboard.press("Enter")
    shopper.at("/products/garden-carpet/")
    tab_to(page, page.get_by_role("button", name="Add to cart"))
    page.keyboard.press("Enter")

    expect(shopper.cart_link(1)).to_be_visible()


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(shop, page):
    """The first Tab lands on "Skip to content", shown on screen; Enter moves on to the main
    content."""
    page.goto("/products/")

    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

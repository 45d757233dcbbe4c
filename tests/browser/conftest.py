"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

Nothing is downloaded: Playwright starts ``/usr/bin/chromium`` (``.ci/run`` installs it), and
axe-core comes from the axe-playwright-python package's own copy. Every test here is marked
``browser``: without chromium it is skipped on a workstation and FAILS in CI
(``tests/conftest.py``).

Playwright's sync API keeps an asyncio loop running in the test's thread while it is started,
and Django refuses ORM calls from a thread with a running loop. The ORM calls of these tests
are plain synchronous ones (factories, reading the outbox), so ``DJANGO_ALLOW_ASYNC_UNSAFE`` is
set for exactly as long as Playwright runs: one chromium per test module, a fresh context
(cookies, session, cache) per test.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import service_required

CHROMIUM = Path(os.environ.get("MARKET_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}
# What the browser must finish a step in; the live server answers in milliseconds.
STEP_TIMEOUT_MS = 15_000

PASSWORD = "correct horse battery"  # what tests.factories.UserFactory sets
SUCCEEDS, DECLINES = "4242424242424242", "4000000000000002"  # the dummy gateway's test cards


def screenshots_dir() -> Path:
    """Where the pages' screenshots go: ``MARKET_SCREENSHOTS_DIR``, else ``var/screenshots``
    (CI keeps it and prints its path)."""
    folder = Path(os.environ.get("MARKET_SCREENSHOTS_DIR") or settings.VAR_DIR / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def chromium():
    """Debian's chromium under Playwright, for one test module."""
    # A module-scoped fixture runs before the function-scoped marker check: check here.
    service_required(
        CHROMIUM.exists(),
        f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)",
    )
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
            )
            yield browser
            browser.close()


@pytest.fixture
def storefront(live_server, settings):
    """The live server's address; links in e-mails and canonical URLs point at it."""
    settings.MARKET_STOREFRONT_URL = live_server.url
    return live_server.url


@pytest.fixture
def new_page(chromium, storefront):
    """``new_page(**context_options)``: a page in a context of its own (a second buyer)."""
    contexts = []

    def open_page(**options):
        options = {
            "base_url": storefront,
            "viewport": DESKTOP,
            "locale": "en-US",
            "java_script_enabled": True,
            **options,
        }
        context = chromium.new_context(**options)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A browser page in a fresh context: an English-speaking guest at 1280 px."""
    return new_page()


# --- Checks: accessibility, weight, screenshots --------------------------------------------

SERIOUS = ("serious", "critical")


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now. The script is the
    package's bundled copy, handed to the page by Playwright (never fetched from anywhere); it
    runs through the DevTools protocol, so the page's CSP (script-src 'self') stays as it is."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations"]})
    return [v for v in results.response["violations"] if v.get("impact") in SERIOUS]


def axe_report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


@pytest.fixture
def axe():
    """``axe(page)``: fail on any serious or critical axe-core violation of the page."""

    def check(page) -> None:
        found = axe_violations(page)
        assert not found, f"axe-core on {page.url}:\n{axe_report(found)}"

    return check


@pytest.fixture
def screenshot():
    """``screenshot(page, "product")``: the whole page at 1280 px and at 360 px wide, as
    ``<name>-1280.png`` and ``<name>-360.png`` in :func:`screenshots_dir`; the page goes back
    to the width it had."""
    folder = screenshots_dir()

    def take(page, name: str) -> list[Path]:
        before = page.viewport_size or DESKTOP
        saved = []
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            path = folder / f"{name}-{size['width']}.png"
            page.screenshot(path=str(path), full_page=True)
            saved.append(path)
        page.set_viewport_size(before)
        return saved

    return take


WEIGHED_TYPES = ("document", "stylesheet", "script")


@dataclass
class PageWeight:
    """The bytes of HTML, CSS and JavaScript a page load fetched, as the browser received them
    after decoding (uncompressed: the budget does not depend on the server's gzip)."""

    url: str
    by_resource: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_resource.values())


def page_weight(page, path: str) -> PageWeight:
    """Load ``path`` in ``page`` and weigh what it fetched (images and fonts left out)."""
    weight = PageWeight(url=path)
    responses = []

    def record(response) -> None:
        responses.append(response)

    page.on("response", record)
    try:
        page.goto(path, wait_until="load")
    finally:
        page.remove_listener("response", record)
    for response in responses:
        if response.request.resource_type in WEIGHED_TYPES and response.ok:
            weight.by_resource[response.url] = len(response.body())
    return weight


# --- The shop the journeys buy from ----------------------------------------------------------


@dataclass
class Shop:
    """Two makers in two categories: a carpet atelier (a carpet in two sizes, and a last rug)
    and a ceramics studio (a bowl and a made-to-order vase). Prices in AZN; 1 EUR = 2 AZN;
    delivery zones and duties are the demo's (Germany in "Europe", DDP offered)."""

    makers: dict = field(default_factory=dict)
    categories: dict = field(default_factory=dict)
    products: dict = field(default_factory=dict)


def _with_image(product, alt: str):
    from tests.factories import ProductImageFactory

    ProductImageFactory(product=product, alt=alt)
    return product


@pytest.fixture
def shop(transactional_db) -> Shop:
    from market.catalog.models import ProductStatus
    from market.catalog.services import product_refresh_derived_fields
    from market.demo.delivery import demo_delivery_create
    from tests.factories import (
        CategoryFactory,
        ExchangeRateFactory,
        ProductFactory,
        ProductVariantFactory,
        SellerFactory,
        UserFactory,
    )

    ExchangeRateFactory(currency="EUR", rate=Decimal("2.0000"))
    ExchangeRateFactory(currency="USD", rate=Decimal("1.7000"))
    demo_delivery_create()

    built = Shop()
    carpets = CategoryFactory(name="Carpets", slug="carpets")
    ceramics = CategoryFactory(name="Ceramics", slug="ceramics")
    built.categories = {"carpets": carpets, "ceramics": ceramics}
    atelier = SellerFactory(
        name="Buta Carpet Atelier",
        slug="buta-carpet-atelier",
        bio="Knotted by hand in Guba from wool dyed with madder and walnut.",
        user=UserFactory(),
    )
    studio = SellerFactory(
        name="Shirvan Ceramics",
        slug="shirvan-ceramics",
        bio="Wheel-thrown stoneware glazed in the colours of the Caspian.",
        user=UserFactory(),
    )
    built.makers = {"atelier": atelier, "studio": studio}

    def listing(key, *, seller, category, name, variants, **fields):
        product = ProductFactory(
            seller=seller,
            category=category,
            name=name,
            slug=key,
            **{"status": ProductStatus.PUBLISHED, **fields},
        )
        for position, (variant_name, price, stock) in enumerate(variants):
            ProductVariantFactory(
                product=product,
                name=variant_name,
                price_amount=Decimal(price),
                stock_quantity=stock,
                sort_order=position,
            )
        _with_image(product, alt=name)
        built.products[key] = product
        return product

    listing(
        "garden-carpet",
        seller=atelier,
        category=carpets,
        name="Garden Carpet",
        description="A Guba carpet with a garden of botehs.",
        hs_code="570110",
        weight_grams=4000,
        variants=[("Small, 60 × 90 cm", "180.00", 4), ("Large, 120 × 180 cm", "640.00", 2)],
    )
    listing(
        "last-prayer-rug",
        seller=atelier,
        category=carpets,
        name="Prayer Rug",
        description="The only one of its kind.",
        hs_code="570110",
        weight_grams=2000,
        variants=[("One size", "260.00", 1)],
    )
    listing(
        "caspian-bowl",
        seller=studio,
        category=ceramics,
        name="Caspian Bowl",
        description="Stoneware, glazed turquoise.",
        hs_code="691200",
        weight_grams=800,
        variants=[("Turquoise", "60.00", 10)],
    )
    listing(
        "tall-vase",
        seller=studio,
        category=ceramics,
        name="Tall Vase",
        description="Thrown to order.",
        hs_code="691390",
        weight_grams=1500,
        variants=[("Ochre", "120.00", 0)],
    )
    # A draft is never shown.
    listing(
        "secret-draft",
        seller=studio,
        category=ceramics,
        name="Unfinished Jug",
        status=ProductStatus.DRAFT,
        variants=[("Plain", "40.00", 3)],
    )
    product_refresh_derived_fields(product_ids=[p.pk for p in built.products.values()])
    return built


# --- Reading the outbox ----------------------------------------------------------------------


@pytest.fixture
def eager_tasks():
    """Tasks queued after a commit run at once in the live server's thread, so the e-mails the
    pages cause land in ``django.core.mail.outbox`` (pytest-django's locmem backend)."""
    from workers.app import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def link_in_mail(to: str, path: str) -> str:
    """The storefront link to ``path`` in the last e-mail sent to ``to``."""
    from django.core import mail

    for message in reversed(mail.outbox):
        if to in message.to:
            found = re.search(rf"(https?://\S+/{path}\S*)", message.body)
            if found:
                return found.group(1)
    sent = [(m.to, m.subject) for m in mail.outbox]
    raise AssertionError(f"no e-mail to {to} with a link to /{path}: {sent}")

"""Builders for fulfilment tests: paid orders straight from the services."""

from decimal import Decimal

from graphql_relay import to_global_id

from market.checkout.completion import checkout_complete
from market.orders.models import OrderPart
from market.orders.services import order_mark_paid
from tests.factories import (
    ExchangeRateFactory,
    SellerFactory,
    UserFactory,
    key,
    listed_product,
    ready_checkout,
)


def maker(*, price="100.00", slug=None, **product):
    """An approved seller in Baku listing one variant (a ceramic vase, HS 691390, 850 g,
    made in Azerbaijan unless ``product`` says otherwise)."""
    user = UserFactory()
    seller = SellerFactory(
        user=user, contact_email=user.email, city="Baku", **({"slug": slug} if slug else {})
    )
    fields = {
        "name": "Ceramic vase",
        "hs_code": "691390",
        "weight_grams": 850,
        "origin_country": "AZ",
        **product,
    }
    listed_product(seller=seller, prices=(Decimal(price),), stock=10, **fields)
    return seller


def paid_order(*sellers_quantities, country="DE", currency="AZN"):
    """A paid order of ``(seller, quantity)`` pairs shipped to ``country``."""
    if currency != "AZN":
        ExchangeRateFactory(currency=currency, rate=Decimal("2.0000"))
    lines = [
        (seller.products.get().variants.get(), quantity) for seller, quantity in sellers_quantities
    ]
    checkout = ready_checkout(lines=lines, country=country, currency=currency)
    order = checkout_complete(token=checkout.token, idempotency_key=key())
    return order_mark_paid(order=order, actor=None)


def part_of(order, seller) -> OrderPart:
    return OrderPart.objects.get(order=order, seller=seller)


def gid(part) -> str:
    return to_global_id("OrderPart", part.pk)


class EmailOutbox(list):
    """Records ``email_enqueue`` calls in place of the queue."""

    def __call__(self, *, to, subject, body):
        self.append({"to": to, "subject": subject, "body": body})

    def to(self, address) -> list[dict]:
        return [mail for mail in self if mail["to"] == address]

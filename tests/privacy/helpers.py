"""People with a history: a buyer whose order is settled or still moving, a seller with a
shop, documents and bank details."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from market.ledger.services import ledger_record_order_paid
from market.orders.models import OrderPart, OrderStatus
from market.orders.services import order_mark_paid, order_part_move
from market.payouts.models import PayoutAccount
from tests.factories import UserFactory, placed_order

S = OrderStatus

BAKU = {
    "name": "Leyla Mammadova",
    "street_address_1": "Nizami 10",
    "city": "Baku",
    "postal_code": "AZ 1000",
    "country": "AZ",
    "phone": "+994 50 123 45 67",
}


def delivered_order(*, buyer, days_ago: int = 30, email: str | None = None):
    """A paid order of two sellers, recorded in the ledger and delivered ``days_ago`` days ago;
    returns (order, seller_a, seller_b)."""
    order, seller_a, seller_b = placed_order(
        buyer=buyer,
        email=email or (buyer.email if buyer else "guest@example.com"),
        country="AZ",
        currency="AZN",
        address=BAKU,
    )
    order = order_mark_paid(order=order, actor=None)
    ledger_record_order_paid(order=order)
    delivered_at = timezone.now() - dt.timedelta(days=days_ago)
    for part in OrderPart.objects.filter(order=order):
        for status in (S.IN_FULFILMENT, S.SHIPPED):
            part = order_part_move(part=part, to=status, actor=None, kind=status)
        order_part_move(
            part=part, to=S.DELIVERED, actor=None, kind="delivered", delivered_at=delivered_at
        )
    order.refresh_from_db()
    return order, seller_a, seller_b


def buyer(**fields):
    return UserFactory(first_name="Leyla", last_name="Mammadova", **fields)


def bank_account(seller) -> PayoutAccount:
    return PayoutAccount.objects.create(
        seller=seller,
        route="bank_transfer",
        account_holder="Leyla Mammadova",
        iban="AZ21NABZ00000000137010001944",
        bic="NABZAZ2X",
        bank_name="Central Bank of Azerbaijan",
        currency="AZN",
    )

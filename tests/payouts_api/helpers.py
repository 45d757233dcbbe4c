"""Payouts made through the real services, and the GraphQL documents of the payouts API
tests."""

import datetime as dt
from decimal import Decimal

from graphql_relay import to_global_id

from market.ledger.services import ledger_record_order_paid
from market.orders.models import OrderPart
from market.orders.services import checkout_complete, order_mark_paid
from market.payments.services import payment_create
from market.payouts.models import BankPayoutBatch, Payout
from market.payouts.paying import bank_batch_create, payout_execute, payouts_create_due
from market.sellers.models import Seller
from tests.factories import listed_product
from tests.orders.helpers import key, ready_checkout
from tests.payments.helpers import SUCCEEDS, unpaid_order
from tests.payouts_worker.helpers import delivered, paid_part, verified_bank_account

BATCH_DAY = dt.date(2026, 11, 26)

PAYOUT_FIELDS = """id status amount { amount currency } route orderNumber orderPartId
  transfer { amount currency conversion { rate } } createdAt paidAt lastError bankBatchDate
  seller { id name }"""

SELLER_PAYOUTS = """
query($first: Int, $after: String, $status: PayoutState) {
  sellerPayouts(first: $first, after: $after, status: $status) {
    %s
    pageInfo { hasNextPage endCursor }
    edges { node { %s } }
  } }"""

STAFF_PAYOUTS = """
query($first: Int, $after: String, $status: PayoutState, $sellerId: ID) {
  payouts(first: $first, after: $after, status: $status, sellerId: $sellerId) {
    %s
    pageInfo { hasNextPage endCursor }
    edges { node { %s } }
  } }"""

SELLER_BALANCE = """{ sellerBalance {
  balance { amount currency } held { amount } pendingPayout { amount }
  failedPayout { amount } adjustments { amount } holdDays } }"""


def seller_payouts(fields: str = PAYOUT_FIELDS, *, total: bool = True) -> str:
    return SELLER_PAYOUTS % ("totalCount" if total else "", fields)


def staff_payouts(fields: str = PAYOUT_FIELDS, *, total: bool = True) -> str:
    return STAFF_PAYOUTS % ("totalCount" if total else "", fields)


def gid(obj) -> str:
    return to_global_id(type(obj).__name__, obj.pk)


def paid_part_of(seller: Seller, *, price: str = "100.00", quantity: int = 2) -> OrderPart:
    """Another paid part of ``seller``, like ``paid_part``'s: ``quantity`` × ``price`` AZN of
    goods and 20.00 shipping, paid in EUR, recorded in the ledger."""
    variant = listed_product(seller=seller, prices=(Decimal(price),), stock=10).variants.get()
    checkout = ready_checkout(lines=[(variant, quantity)], currency="EUR")
    order = checkout_complete(token=checkout.token, idempotency_key=key())
    order = order_mark_paid(order=order, actor=None)
    ledger_record_order_paid(order=order)
    return order.parts.select_related("seller", "order").get()


def card_paid_part(*, country: str = "AZ") -> OrderPart:
    """The one part of an order paid by card (dummy gateway): a 100 AZN item and 20 AZN
    shipping to Germany, 60.00 EUR at 1 EUR = 2 AZN; the seller is owed 90.00 + 20.00 AZN."""
    order = unpaid_order(currency="EUR")
    part = order.parts.get()
    Seller.objects.filter(pk=part.seller_id).update(country=country)
    payment_create(order=order, card=SUCCEEDS, idempotency_key=f"pay-{order.pk}")
    return OrderPart.objects.select_related("order", "seller").get(pk=part.pk)


def pending_bank_payout(part: OrderPart | None = None) -> Payout:
    """A pending payout of a part delivered 20 days ago (by default 200.00 AZN) to a seller
    with a verified bank account."""
    part = delivered(part or paid_part(), days_ago=20)
    if not hasattr(part.seller, "payout_account"):
        verified_bank_account(part.seller)
    payouts_create_due()
    return Payout.objects.get(order_part=part)


def paid_bank_payout(part: OrderPart | None = None) -> Payout:
    """A bank payout paid in a bank file of its own (one file per day: the next free day from
    ``BATCH_DAY`` on)."""
    payout = pending_bank_payout(part)
    payout_execute(payout_id=payout.pk)
    bank_batch_create(date=BATCH_DAY + dt.timedelta(days=BankPayoutBatch.objects.count()))
    payout.refresh_from_db()
    return payout

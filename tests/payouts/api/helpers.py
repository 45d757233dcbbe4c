"""Payouts made through the real services, and the GraphQL documents of the payouts API
tests."""

import datetime as dt

from graphql_relay import to_global_id

from market.orders.models import OrderPart
from market.payouts.models import BankPayoutBatch, Payout
from market.payouts.paying import bank_batch_create, payout_execute, payouts_create_due
from tests.factories import paid_part
from tests.payouts.worker.helpers import delivered, verified_bank_account

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

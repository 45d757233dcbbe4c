"""Builders for payout tests: paid, delivered order parts recorded in the ledger, and sellers
with a payout route that is ready (or not)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from market.ledger.services import ledger_record_order_paid
from market.orders.models import OrderPart, OrderStatus
from market.orders.services import checkout_complete, order_mark_paid
from market.payouts.models import PayoutAccount
from market.sellers.models import Seller
from tests.factories import ExchangeRateFactory
from tests.orders.helpers import key, ready_checkout, seller_with_variant

AZ_IBAN = "AZ21NABZ00000000137010001944"
DE_IBAN = "DE89370400440532013000"


def paid_part(*, price="100.00", quantity=2, currency="EUR", country="AZ") -> OrderPart:
    """The one part of a paid order (1 EUR = 2 AZN) of one seller in ``country``, recorded in
    the ledger."""
    if (
        currency != "AZN"
        and not ExchangeRateFactory._meta.model.objects.filter(currency=currency).exists()
    ):
        ExchangeRateFactory(currency=currency, rate=Decimal("2.0000"))
    seller, variant = seller_with_variant(price=price, stock=10)
    Seller.objects.filter(pk=seller.pk).update(country=country)
    checkout = ready_checkout(lines=[(variant, quantity)], currency=currency)
    order = checkout_complete(token=checkout.token, idempotency_key=key())
    order = order_mark_paid(order=order, actor=None)
    ledger_record_order_paid(order=order)
    return order.parts.select_related("seller", "order").get()


def delivered(part: OrderPart, *, days_ago: float) -> OrderPart:
    OrderPart.objects.filter(pk=part.pk).update(
        status=OrderStatus.DELIVERED, delivered_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    part.refresh_from_db()
    return part


def verified_bank_account(
    seller, *, currency="AZN", iban=AZ_IBAN, bic="NABZAZ2X", holder="Leyla Mammadova"
) -> PayoutAccount:
    return PayoutAccount.objects.create(
        seller=seller,
        route="bank_transfer",
        account_holder=holder,
        iban=iban,
        bic=bic,
        bank_name="Test bank",
        currency=currency,
        bank_verified_at=timezone.now(),
    )


def ready_stripe_account(seller, stripe_server) -> PayoutAccount:
    """A connected account on the local Stripe server that Stripe pays out to."""
    account_id = f"acct_seller{seller.pk}"
    stripe_server.accounts[account_id] = {
        "id": account_id,
        "object": "account",
        "payouts_enabled": True,
    }
    return PayoutAccount.objects.create(
        seller=seller,
        route="stripe_connect",
        stripe_account_id=account_id,
        payouts_enabled=True,
        charges_enabled=True,
    )

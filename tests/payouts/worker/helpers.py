"""Builders for payout tests: paid, delivered order parts recorded in the ledger, and sellers
with a payout route that is ready (or not)."""

import datetime as dt

from django.utils import timezone

from market.orders.models import OrderPart, OrderStatus
from market.payouts.models import PayoutAccount

AZ_IBAN = "AZ21NABZ00000000137010001944"
DE_IBAN = "DE89370400440532013000"


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

"""Payout routes: how a seller gets paid, chosen by the seller's country, behind one interface.

Stripe Connect pays sellers in the countries where Stripe opens connected accounts; everyone
else (today that includes Azerbaijan) is paid by bank transfer from a batch file. A new way of
paying sellers is a new ``PayoutRoute`` subclass registered in ``_ROUTES``, not a new flow.

Each route answers what is missing before a seller can be paid (``status``) and pays one payout
(``pay``): Stripe Connect with a transfer, the bank route by approving the payout for the next
daily pain.001 batch file (``market.payouts.pain001``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal

import stripe
from django.db.models import OuterRef, Subquery

from market.core.money import quantize, to_minor_units
from market.payments.gateways import stripe_error_is_transient
from market.payments.models import Payment, PaymentStatus
from market.payments.stripe_client import stripe_client
from market.payouts.models import Payout, PayoutAccount, PayoutRouteName

# Where Stripe opens Express accounts that it pays out to (stripe.com/global; invite-only
# countries left out). A constant, not a setting: it changes when Stripe's coverage does.
STRIPE_CONNECT_COUNTRIES = frozenset(
    {
        "AE",
        "AT",
        "AU",
        "BE",
        "BG",
        "BR",
        "CA",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GB",
        "GI",
        "GR",
        "HK",
        "HR",
        "HU",
        "IE",
        "IT",
        "JP",
        "LI",
        "LT",
        "LU",
        "LV",
        "MT",
        "MX",
        "MY",
        "NL",
        "NO",
        "NZ",
        "PL",
        "PT",
        "RO",
        "SE",
        "SG",
        "SI",
        "SK",
        "TH",
        "US",
    }
)


@dataclass(frozen=True)
class BankAccountSummary:
    """Bank details safe to show: never the full IBAN."""

    account_holder: str
    iban_last4: str
    bic: str
    bank_name: str
    currency: str
    verified: bool


@dataclass(frozen=True)
class PayoutStatus:
    route: str
    is_ready: bool
    missing: list[str] = field(default_factory=list)
    charges_enabled: bool = False
    payouts_enabled: bool = False
    requirements_due: list[str] = field(default_factory=list)
    disabled_reason: str = ""
    bank_account: BankAccountSummary | None = None


@dataclass(frozen=True)
class PayoutResult:
    """What a route did with a payout: ``paid`` (money left, e.g. a Stripe transfer) or
    ``awaiting_batch`` (approved for the bank's next batch file)."""

    outcome: str
    transfer_amount: Decimal | None = None
    transfer_currency: str = ""
    stripe_transfer_id: str | None = None

    PAID = "paid"
    AWAITING_BATCH = "awaiting_batch"


class PayoutRetryable(Exception):
    """The route could not pay now (network, Stripe unavailable, rate limited): try again."""


class PayoutRefused(Exception):
    """The route will not pay this payout as it is (e.g. Stripe refused the destination)."""


class PayoutRoute(ABC):
    name: PayoutRouteName

    @abstractmethod
    def status(self, account: PayoutAccount | None) -> PayoutStatus:
        """What the seller still has to do before this route can pay them."""

    @abstractmethod
    def pay(self, payout: Payout) -> PayoutResult:
        """Pay ``payout`` (already moved to processing); safe to call again for the same
        payout. Raises ``PayoutRetryable`` or ``PayoutRefused``."""


class StripeConnectRoute(PayoutRoute):
    name = PayoutRouteName.STRIPE_CONNECT

    def status(self, account: PayoutAccount | None) -> PayoutStatus:
        if account is None or not account.stripe_account_id:
            return PayoutStatus(
                route=self.name, is_ready=False, missing=["Start payout onboarding with Stripe."]
            )
        missing = [f"Stripe needs: {_readable(item)}." for item in account.requirements_due]
        if account.disabled_reason:
            missing.append(f"Stripe has paused the account ({_readable(account.disabled_reason)}).")
        if not account.payouts_enabled and not missing:
            missing.append("Stripe has not enabled payouts yet.")
        ready = account.payouts_enabled and not missing
        if account.bank_payout_failure:
            # Transfers still reach the seller's Stripe balance; only the bank payout is stuck.
            missing.append(
                f"Stripe could not pay out to your bank ({account.bank_payout_failure})"
                f": update your bank details with Stripe."
            )
        return PayoutStatus(
            route=self.name,
            is_ready=ready,
            missing=missing,
            charges_enabled=account.charges_enabled,
            payouts_enabled=account.payouts_enabled,
            requirements_due=list(account.requirements_due),
            disabled_reason=account.disabled_reason,
        )

    def pay(self, payout: Payout) -> PayoutResult:
        """One Stripe transfer to the seller's connected account.

        Currency: the payout is owed in AZN, which Stripe does not settle in, while the buyer's
        money sits in the platform's Stripe balance in the order's currency. So the transfer is
        made in the ORDER's currency, converted from AZN at the order's locked exchange rate
        (the rate the buyer paid at), and tied to the charge with ``source_transaction`` (the
        funds are transferred as soon as the charge settles) and ``transfer_group`` (the order
        number). The idempotency key ``payout-<id>`` makes every retry, by the SDK, the task
        or the sweeper after a killed worker, return the SAME transfer.
        """
        order = payout.order_part.order
        currency = order.currency.upper()
        amount = quantize(payout.amount / order.exchange_rate, currency)
        params = {
            "amount": to_minor_units(amount, currency),
            "currency": currency.lower(),
            "destination": payout.seller.payout_account.stripe_account_id,
            "transfer_group": order.number,
            "metadata": {
                "payout_id": str(payout.pk),
                "order_part_id": str(payout.order_part_id),
                "amount_azn": str(payout.amount),
            },
        }
        # Loaded with the payout when it was claimed; looked up only when called otherwise.
        charge_id = (
            payout.order_charge_id
            if hasattr(payout, "order_charge_id")
            else _order_charge_id(order)
        )
        if charge_id:
            params["source_transaction"] = charge_id
        try:
            transfer = stripe_client().v1.transfers.create(
                params=params, options={"idempotency_key": f"payout-{payout.pk}"}
            )
        except stripe.StripeError as error:
            if stripe_error_is_transient(error):
                raise PayoutRetryable(str(error)) from error
            raise PayoutRefused(str(error)) from error
        return PayoutResult(
            outcome=PayoutResult.PAID,
            transfer_amount=amount,
            transfer_currency=currency,
            stripe_transfer_id=transfer.id,
        )


class BankTransferRoute(PayoutRoute):
    name = PayoutRouteName.BANK_TRANSFER

    def status(self, account: PayoutAccount | None) -> PayoutStatus:
        if account is None or not account.has_bank_details:
            return PayoutStatus(
                route=self.name, is_ready=False, missing=["Add the bank account to be paid to."]
            )
        ready = account.bank_verified
        return PayoutStatus(
            route=self.name,
            is_ready=ready,
            missing=[] if ready else ["Staff have not verified the bank account yet."],
            payouts_enabled=ready,
            bank_account=BankAccountSummary(
                account_holder=account.account_holder,
                iban_last4=account.iban[-4:],
                bic=account.bic,
                bank_name=account.bank_name,
                currency=account.currency,
                verified=ready,
            ),
        )

    def pay(self, payout: Payout) -> PayoutResult:
        """Approve the payout for the next daily batch file; ``bank_batch_create`` pays it.

        The credit transfer is in the currency of the seller's bank account, converted from
        AZN when it differs (at the batch's date).
        """
        return PayoutResult(outcome=PayoutResult.AWAITING_BATCH)


def order_charge_id_subquery(order_path: str):
    """The charge of the succeeded payment of the order at ``order_path``, for ``annotate``."""
    return Subquery(
        Payment.objects.filter(order=OuterRef(order_path), status=PaymentStatus.SUCCEEDED)
        .exclude(stripe_charge_id="")
        .values("stripe_charge_id")[:1]
    )


def _order_charge_id(order) -> str | None:
    """The charge of the order's succeeded payment (Stripe gateway), if any."""
    return (
        Payment.objects.filter(order=order, status=PaymentStatus.SUCCEEDED)
        .exclude(stripe_charge_id="")
        .values_list("stripe_charge_id", flat=True)
        .first()
    )


def _readable(code: str) -> str:
    # Stripe's requirement codes ("individual.verification.document") as words.
    return code.replace(".", " ").replace("_", " ")


_ROUTES: dict[PayoutRouteName, PayoutRoute] = {
    route.name: route for route in (StripeConnectRoute(), BankTransferRoute())
}


def payout_route_for(seller) -> PayoutRoute:
    """Stripe Connect where Stripe pays out in the seller's country, else a bank transfer."""
    if str(seller.country).upper() in STRIPE_CONNECT_COUNTRIES:
        return _ROUTES[PayoutRouteName.STRIPE_CONNECT]
    return _ROUTES[PayoutRouteName.BANK_TRANSFER]

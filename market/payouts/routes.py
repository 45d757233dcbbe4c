"""Payout routes: how a seller gets paid, chosen by the seller's country, behind one interface.

Stripe Connect pays sellers in the countries where Stripe opens connected accounts; everyone
else (today that includes Azerbaijan) is paid by bank transfer from a batch file. A new way of
paying sellers is a new ``PayoutRoute`` subclass registered in ``_ROUTES``, not a new flow.

Paying out itself (transfers, batch files) arrives with the payouts issue, which will add it to
this interface with the ledger it needs; until then a route answers what is missing before a
seller can be paid.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from market.payouts.models import PayoutAccount, PayoutRouteName

# Where Stripe opens Express accounts that it pays out to (stripe.com/global; invite-only
# countries left out). A constant, not a setting: it changes when Stripe's coverage does.
STRIPE_CONNECT_COUNTRIES = frozenset({
    "AE", "AT", "AU", "BE", "BG", "BR", "CA", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI",
    "FR", "GB", "GI", "GR", "HK", "HR", "HU", "IE", "IT", "JP", "LI", "LT", "LU", "LV", "MT",
    "MX", "MY", "NL", "NO", "NZ", "PL", "PT", "RO", "SE", "SG", "SI", "SK", "TH", "US",
})


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


class PayoutRoute(ABC):
    name: PayoutRouteName

    @abstractmethod
    def status(self, account: PayoutAccount | None) -> PayoutStatus:
        """What the seller still has to do before this route can pay them."""


class StripeConnectRoute(PayoutRoute):
    name = PayoutRouteName.STRIPE_CONNECT

    def status(self, account: PayoutAccount | None) -> PayoutStatus:
        if account is None or not account.stripe_account_id:
            return PayoutStatus(route=self.name, is_ready=False,
                                missing=["Start payout onboarding with Stripe."])
        missing = [f"Stripe needs: {_readable(item)}." for item in account.requirements_due]
        if account.disabled_reason:
            missing.append(f"Stripe has paused the account ({_readable(account.disabled_reason)}).")
        if not account.payouts_enabled and not missing:
            missing.append("Stripe has not enabled payouts yet.")
        return PayoutStatus(
            route=self.name, is_ready=account.payouts_enabled and not missing, missing=missing,
            charges_enabled=account.charges_enabled, payouts_enabled=account.payouts_enabled,
            requirements_due=list(account.requirements_due),
            disabled_reason=account.disabled_reason)


class BankTransferRoute(PayoutRoute):
    name = PayoutRouteName.BANK_TRANSFER

    def status(self, account: PayoutAccount | None) -> PayoutStatus:
        if account is None or not account.has_bank_details:
            return PayoutStatus(route=self.name, is_ready=False,
                                missing=["Add the bank account to be paid to."])
        ready = account.bank_verified
        return PayoutStatus(
            route=self.name, is_ready=ready,
            missing=[] if ready else ["Staff have not verified the bank account yet."],
            payouts_enabled=ready,
            bank_account=BankAccountSummary(
                account_holder=account.account_holder, iban_last4=account.iban[-4:],
                bic=account.bic, bank_name=account.bank_name, currency=account.currency,
                verified=ready))


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

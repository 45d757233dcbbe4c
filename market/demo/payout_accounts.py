"""Demo payout accounts: the demo's makers are paid by bank transfer to made-up accounts.

So that a payout can be followed end to end in the demo (``payoutRelease`` → a payout → the
day's pain.001 bank file in the admin), every demo shop on the bank route gets a bank account,
verified by the demo's admin. The IBANs pass their checksums and belong to nobody.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from schwifty import IBAN

from market.payouts import accounts
from market.payouts.models import PayoutAccount, PayoutRouteName
from market.payouts.routes import payout_route_for
from market.sellers.models import Seller

# country: (bank code in the IBAN, BIC, bank's name, currency paid in)
DEMO_BANKS = {
    "AZ": ("NABZ", "NABZAZ2X", "Demo bank (Baku)", "AZN"),
    "GE": ("TB", "TBCBGE22", "Demo bank (Tbilisi)", "GEL"),
}


@transaction.atomic
def demo_payout_accounts_ensure(*, sellers: QuerySet[Seller], verified_by) -> list[PayoutAccount]:
    """A verified bank account for each of ``sellers`` on the bank route that has none, in a
    country of ``DEMO_BANKS``; shops that set up their payouts keep them. Returns the accounts
    created."""
    created = []
    for seller in sellers.order_by("pk"):
        bank = DEMO_BANKS.get(str(seller.country).upper())
        if (
            bank is None
            or payout_route_for(seller).name != PayoutRouteName.BANK_TRANSFER
            or PayoutAccount.objects.filter(seller=seller).exists()
        ):
            continue
        bank_code, bic, bank_name, currency = bank
        iban = IBAN.generate(
            str(seller.country).upper(),
            bank_code=bank_code,
            account_code=_account_code(seller, bank_code),
        )
        accounts.payout_bank_account_set(
            seller=seller,
            account_holder=seller.name,
            iban=str(iban),
            bic=bic,
            bank_name=bank_name,
            currency=currency,
        )
        created.append(accounts.payout_bank_account_verify(seller_id=seller.pk, actor=verified_by))
    return created


def _account_code(seller: Seller, bank_code: str) -> str:
    # Long enough for the country's IBAN (AZ: 20 characters after the bank code, GE: 16).
    length = {"NABZ": 20, "TB": 16}[bank_code]
    return str(seller.pk).zfill(length)

from decimal import Decimal

import pytest

from market.payouts.models import Payout
from market.payouts.paying import payout_execute, payouts_create_due
from tests.factories import ExchangeRateFactory, paid_part
from tests.payouts.worker.helpers import DE_IBAN, delivered, verified_bank_account
from tests.stripe_server.fixtures import _stripe_server_process, stripe_server  # noqa: F401


@pytest.fixture
def approved_bank_payouts(settings, tmp_path):
    """Two approved bank payouts of 200.00 AZN: one to an AZN account, one to a EUR account
    (1 EUR = 2 AZN)."""
    settings.PAYOUT_BANK_FILES_ROOT = str(tmp_path / "bank-files")
    azn = delivered(paid_part(), days_ago=20)
    eur = delivered(paid_part(), days_ago=20)
    verified_bank_account(azn.seller)
    verified_bank_account(
        eur.seller, currency="EUR", iban=DE_IBAN, bic="COBADEFFXXX", holder="Anna Schmidt"
    )
    ExchangeRateFactory(currency="EUR", rate=Decimal("2.0000"))
    payouts_create_due()
    for payout in Payout.objects.all():
        payout_execute(payout_id=payout.pk)
    return list(Payout.objects.order_by("pk"))

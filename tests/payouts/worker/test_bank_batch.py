"""The bank route: approved payouts gathered into the day's pain.001 credit-transfer file."""

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from market.core.errors import DomainError
from market.ledger.models import LedgerEntry
from market.payouts import pain001
from market.payouts.models import BankPayoutBatch, Payout
from market.payouts.paying import bank_batch_create
from tests.payouts.worker.helpers import DE_IBAN

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 26)
NS = {"p": pain001.NAMESPACE}


def _file(batch) -> ET.Element:
    with batch.file.open("rb") as handle:
        return ET.fromstring(handle.read())


def test_executing_a_bank_payout_approves_it_for_the_next_batch(approved_bank_payouts):
    assert [(p.status, p.bank_batch_id) for p in approved_bank_payouts] == [
        ("processing", None),
        ("processing", None),
    ]


def test_the_days_batch_file_validates_against_the_pain001_schema(approved_bank_payouts, settings):
    batch = bank_batch_create(date=DAY)

    with batch.file.open("rb") as handle:
        pain001.validate(handle.read())
    assert (batch.date, batch.payout_count, batch.message_id) == (DAY, 2, "CM-PAYOUTS-20261126")
    # stored privately: under the bank files folder, with no public URL
    assert batch.file.path.startswith(settings.PAYOUT_BANK_FILES_ROOT)
    with pytest.raises(ValueError):
        batch.file.url  # noqa: B018


def test_the_batch_file_holds_one_credit_transfer_per_payout_with_the_right_sums(
    approved_bank_payouts, settings
):
    azn, eur = approved_bank_payouts

    root = _file(bank_batch_create(date=DAY))

    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "300.00"
    blocks = root.findall("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert [
        (
            b.findtext("p:CtrlSum", namespaces=NS),
            b.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS),
            [
                (
                    t.findtext("p:PmtId/p:EndToEndId", namespaces=NS),
                    t.find("p:Amt/p:InstdAmt", NS).text,
                    t.find("p:Amt/p:InstdAmt", NS).get("Ccy"),
                    t.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
                )
                for t in b.findall("p:CdtTrfTxInf", NS)
            ],
        )
        for b in blocks
    ] == [
        (
            "200.00",
            settings.BANK_DEBTOR_IBAN,
            [(f"PAYOUT-{azn.pk}", "200.00", "AZN", "AZ21NABZ00000000137010001944")],
        ),
        ("100.00", settings.BANK_DEBTOR_IBAN, [(f"PAYOUT-{eur.pk}", "100.00", "EUR", DE_IBAN)]),
    ]


def test_payouts_in_the_days_file_are_paid_and_in_the_ledger(approved_bank_payouts):
    batch = bank_batch_create(date=DAY)

    payouts = list(Payout.objects.order_by("pk"))
    assert [(p.status, p.bank_batch, p.transfer_amount, p.transfer_currency) for p in payouts] == [
        ("paid", batch, Decimal("200.00"), "AZN"),
        ("paid", batch, Decimal("100.00"), "EUR"),
    ]
    assert list(
        LedgerEntry.objects.filter(kind="payout")
        .order_by("payout")
        .values_list("amount", flat=True)
    ) == [Decimal("-200.00"), Decimal("-200.00")]


def test_a_second_batch_on_the_same_day_is_the_first_one(approved_bank_payouts):
    first = bank_batch_create(date=DAY)

    assert bank_batch_create(date=DAY) == first
    assert BankPayoutBatch.objects.count() == 1


def test_no_file_is_made_when_no_bank_payout_is_approved():
    assert bank_batch_create(date=DAY) is None
    assert BankPayoutBatch.objects.count() == 0


def test_a_file_that_does_not_validate_is_refused_and_nothing_changes(
    approved_bank_payouts, settings, tmp_path
):
    # given a platform BIC the schema refuses
    settings.BANK_DEBTOR_BIC = "NOT A BIC"

    with pytest.raises(DomainError) as refused:
        bank_batch_create(date=DAY)

    assert refused.value.code == "invalid_bank_file"
    assert BankPayoutBatch.objects.count() == 0
    assert list(Payout.objects.values_list("status", flat=True)) == ["processing", "processing"]
    assert LedgerEntry.objects.filter(kind="payout").count() == 0
    assert not (tmp_path / "bank-files").exists()


def test_a_tampered_file_does_not_validate(approved_bank_payouts):
    batch = bank_batch_create(date=DAY)
    with batch.file.open("rb") as handle:
        tampered = handle.read().replace(b"<NbOfTxs>2</NbOfTxs>", b"<NbOfTxs>two</NbOfTxs>")

    with pytest.raises(pain001.InvalidBankFile):
        pain001.validate(tampered)

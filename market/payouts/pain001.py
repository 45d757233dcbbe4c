"""ISO 20022 pain.001.001.03 customer credit-transfer files: the bank route's daily batch.

Built with the standard library's ElementTree and validated against the published ISO XSD (the
copy shipped in ``sepaxml``) with ``xmlschema`` before anyone stores or sends it: the bank
rejects a whole file for one bad element, so a file that does not validate is never written.
One ``PmtInf`` block per currency (a block has one requested execution date and one debtor
account); the end-to-end id of each transaction is the payout id, so the bank's statement lines
lead back to the payout.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import sepaxml
import xmlschema

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
XSD_PATH = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"


class InvalidBankFile(Exception):
    """The file does not validate against the pain.001.001.03 XSD."""


@dataclass(frozen=True)
class Party:
    name: str
    iban: str
    bic: str


@dataclass(frozen=True)
class CreditTransfer:
    end_to_end_id: str
    amount: Decimal
    currency: str
    creditor: Party
    remittance: str


@cache
def _schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD_PATH))


def validate(document: bytes) -> None:
    """Refuse a document that is not a valid pain.001.001.03 file."""
    errors = list(_schema().iter_errors(document.decode()))
    if errors:
        raise InvalidBankFile("; ".join(str(error.reason or error) for error in errors[:5]))


def _text(value: str, limit: int) -> str:
    # The bank's character set is latin; the XSD limits lengths.
    return " ".join(value.split())[:limit] or "-"


def build(
    *,
    message_id: str,
    created_at: dt.datetime,
    execution_date: dt.date,
    debtor: Party,
    transfers: list[CreditTransfer],
) -> bytes:
    """The validated XML of one batch; raises ``InvalidBankFile`` rather than return a bad one."""
    ET.register_namespace("", NAMESPACE)

    def sub(parent, tag, text=None, **attributes):
        element = ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    document = ET.Element(f"{{{NAMESPACE}}}Document")
    root = sub(document, "CstmrCdtTrfInitn")
    header = sub(root, "GrpHdr")
    sub(header, "MsgId", _text(message_id, 35))
    sub(header, "CreDtTm", created_at.replace(microsecond=0, tzinfo=None).isoformat())
    sub(header, "NbOfTxs", str(len(transfers)))
    sub(header, "CtrlSum", str(sum((t.amount for t in transfers), Decimal(0))))
    sub(sub(header, "InitgPty"), "Nm", _text(debtor.name, 70))

    by_currency: dict[str, list[CreditTransfer]] = {}
    for transfer in transfers:
        by_currency.setdefault(transfer.currency, []).append(transfer)
    for currency, group in sorted(by_currency.items()):
        block = sub(root, "PmtInf")
        sub(block, "PmtInfId", _text(f"{message_id}-{currency}", 35))
        sub(block, "PmtMtd", "TRF")
        sub(block, "NbOfTxs", str(len(group)))
        sub(block, "CtrlSum", str(sum((t.amount for t in group), Decimal(0))))
        sub(block, "ReqdExctnDt", execution_date.isoformat())
        sub(sub(block, "Dbtr"), "Nm", _text(debtor.name, 70))
        sub(sub(sub(block, "DbtrAcct"), "Id"), "IBAN", debtor.iban)
        sub(sub(sub(block, "DbtrAgt"), "FinInstnId"), "BIC", debtor.bic)
        sub(block, "ChrgBr", "SHAR")
        for transfer in group:
            entry = sub(block, "CdtTrfTxInf")
            sub(sub(entry, "PmtId"), "EndToEndId", _text(transfer.end_to_end_id, 35))
            sub(sub(entry, "Amt"), "InstdAmt", str(transfer.amount), Ccy=currency)
            sub(sub(sub(entry, "CdtrAgt"), "FinInstnId"), "BIC", transfer.creditor.bic)
            sub(sub(entry, "Cdtr"), "Nm", _text(transfer.creditor.name, 70))
            sub(sub(sub(entry, "CdtrAcct"), "Id"), "IBAN", transfer.creditor.iban)
            sub(sub(entry, "RmtInf"), "Ustrd", _text(transfer.remittance, 140))
    xml = ET.tostring(document, encoding="UTF-8", xml_declaration=True)
    validate(xml)
    return xml

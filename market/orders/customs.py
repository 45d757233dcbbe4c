"""Customs papers as PDF: the CN22 and CN23 declarations and the commercial invoice.

Pure rendering: :class:`CustomsPaper` holds everything a paper shows (the services in
``fulfilment.py`` decide which papers a part needs and build it); :func:`customs_pdf` turns it
into PDF bytes with reportlab. Page streams are left uncompressed: the papers are a few KB
either way, and their text stays searchable by tools that read raw PDF.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from market.orders.models import CustomsDocumentKind

TITLES: dict[str, str] = {
    CustomsDocumentKind.CN22: "CN 22 - Customs declaration",
    CustomsDocumentKind.CN23: "CN 23 - Customs declaration",
    CustomsDocumentKind.COMMERCIAL_INVOICE: "Commercial invoice",
}
CATEGORY = "Sale of goods"
MARGIN = 18 * mm
LINE = 5 * mm
# Column x positions (from the left margin) of the contents table.
COLUMNS = (0, 62 * mm, 75 * mm, 97 * mm, 127 * mm, 152 * mm)
# The PDF's standard fonts (always present, no font files to ship) cover Windows-1252 only:
# Azerbaijani letters outside it are written the way customs forms in Latin script expect.
TRANSLITERATION = str.maketrans(
    {"ə": "a", "Ə": "A", "ş": "s", "Ş": "S", "ğ": "g", "Ğ": "G", "ı": "i", "İ": "I"}
)


def _printable(value: str) -> str:
    return "".join(_printable_char(c) for c in value.translate(TRANSLITERATION))


def _printable_char(char: str) -> str:
    if _encodable(char):
        return char
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base and _encodable(base) else "?"


def _encodable(value: str) -> bool:
    try:
        value.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Party:
    name: str
    address_lines: tuple[str, ...]
    country: str


@dataclass(frozen=True)
class ContentLine:
    description: str
    quantity: int
    net_weight_kg: Decimal | None  # the whole line (unit weight × quantity)
    value: Decimal  # the whole line, in the paper's currency
    hs_code: str
    origin_country: str


@dataclass(frozen=True)
class CustomsPaper:
    kind: str
    sender: Party
    recipient: Party
    lines: tuple[ContentLine, ...]
    currency: str
    total_value: Decimal
    total_weight_kg: Decimal
    value_sdr: Decimal
    date: dt.date
    invoice_number: str
    incoterm: str
    shipping: Decimal


def customs_pdf(paper: CustomsPaper) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    pdf.setTitle(f"{TITLES[paper.kind]} {paper.invoice_number}")
    writer = _Writer(pdf)
    writer.text(TITLES[paper.kind], size=15, bold=True)
    writer.text(f"Date: {paper.date.isoformat()}    Reference: {paper.invoice_number}")
    writer.text(f"Category of item: [X] {CATEGORY}")
    writer.gap()
    is_invoice = paper.kind == CustomsDocumentKind.COMMERCIAL_INVOICE
    writer.party("Seller (exporter)" if is_invoice else "From (sender)", paper.sender)
    writer.party("Buyer (consignee)" if is_invoice else "To (addressee)", paper.recipient)
    if is_invoice:
        writer.text(f"Invoice number: {paper.invoice_number}")
        writer.text(f"Currency: {paper.currency}    Incoterm: {paper.incoterm}")
        writer.text(f"Reason for export: {CATEGORY}")
        writer.gap()
    writer.contents(paper)
    writer.gap()
    writer.text(
        f"Total gross value: {paper.total_value} {paper.currency} ({paper.value_sdr} SDR)",
        bold=True,
    )
    writer.text(f"Total net weight: {paper.total_weight_kg} kg", bold=True)
    if paper.kind != CustomsDocumentKind.CN22:
        writer.text(f"Postal charges / shipping: {paper.shipping} {paper.currency}")
    writer.gap()
    writer.text(
        "I certify that the particulars given in this declaration are correct and that "
        "this item does not contain"
    )
    writer.text(
        "any dangerous article prohibited by legislation or by postal or customs regulations."
    )
    writer.text(f"Date and sender's signature: {paper.date.isoformat()}  {paper.sender.name}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class _Writer:
    """Writes lines top-down, starting a new page when one is full."""

    def __init__(self, pdf: canvas.Canvas):
        self.pdf = pdf
        self.width, self.height = A4
        self.y = self.height - MARGIN

    def _room(self, needed: float = LINE) -> None:
        if self.y - needed < MARGIN:
            self.pdf.showPage()
            self.y = self.height - MARGIN

    def text(self, value: str, *, size: int = 9, bold: bool = False, x: float = 0) -> None:
        self._room(size * 0.5 * mm + LINE)
        self.pdf.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.pdf.drawString(MARGIN + x, self.y, _printable(value))
        self.y -= LINE if size <= 10 else LINE * 1.6

    def gap(self) -> None:
        self.y -= LINE / 2

    def party(self, label: str, party: Party) -> None:
        self.text(label, bold=True)
        self.text(party.name, x=4 * mm)
        for line in party.address_lines:
            self.text(line, x=4 * mm)
        self.text(f"Country: {party.country}", x=4 * mm)
        self.gap()

    def row(self, cells: tuple[str, ...], *, bold: bool = False) -> None:
        self._room()
        self.pdf.setFont("Helvetica-Bold" if bold else "Helvetica", 8)
        for x, cell in zip(COLUMNS, cells, strict=True):
            self.pdf.drawString(MARGIN + x, self.y, _printable(cell))
        self.y -= LINE

    def contents(self, paper: CustomsPaper) -> None:
        self.row(
            (
                "Description of contents",
                "Qty",
                "Net weight kg",
                f"Value ({paper.currency})",
                "HS tariff no.",
                "Origin",
            ),
            bold=True,
        )
        for line in paper.lines:
            weight = "" if line.net_weight_kg is None else str(line.net_weight_kg)
            self.row(
                (
                    line.description[:40],
                    str(line.quantity),
                    weight,
                    str(line.value),
                    line.hs_code,
                    line.origin_country,
                )
            )

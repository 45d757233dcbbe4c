"""Parser for the Central Bank of Azerbaijan's daily bulletin of official AZN rates (cbar.az).

``Value`` is the AZN price of ``Nominal`` units (100 for JPY, KRW, …); we store the price of one.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

SOURCE = "cbar.az"


@dataclass(frozen=True)
class ParsedRate:
    currency: str
    rate: Decimal  # AZN per one unit of currency


@dataclass(frozen=True)
class ParsedBulletin:
    date: dt.date
    rates: dict[str, ParsedRate]


class BulletinError(ValueError):
    pass


def parse_bulletin(xml: bytes | str) -> ParsedBulletin:
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise BulletinError(f"not XML: {exc}") from exc
    if root.tag != "ValCurs" or "Date" not in root.attrib:
        raise BulletinError("not a CBAR ValCurs bulletin")
    try:
        date = dt.datetime.strptime(root.attrib["Date"], "%d.%m.%Y").date()
    except ValueError as exc:
        raise BulletinError(f"bad bulletin date {root.attrib['Date']!r}") from exc
    rates: dict[str, ParsedRate] = {}
    for valute in root.iter("Valute"):
        code = valute.attrib.get("Code", "")
        nominal_text = valute.findtext("Nominal") or ""
        value_text = valute.findtext("Value") or ""
        match = re.match(r"\s*(\d+)", nominal_text)
        try:
            nominal = Decimal(match.group(1)) if match else None
            value = Decimal(value_text.strip())
        except InvalidOperation:
            continue
        if not re.fullmatch(r"[A-Z]{3}", code) or not nominal or value <= 0:
            continue
        rates[code] = ParsedRate(currency=code, rate=value / nominal)
    if not rates:
        raise BulletinError("bulletin holds no rates")
    return ParsedBulletin(date=date, rates=rates)

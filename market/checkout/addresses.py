"""Postal addresses a parcel can reach, checked the way the destination country writes them.

An address is stored on the checkout (and later copied to the order) as a plain dict with the
keys of :data:`ADDRESS_FIELDS`; the country is an ISO 3166-1 alpha-2 code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django_countries import countries

from market.checkout.error_codes import CheckoutErrorCode
from market.core.errors import DomainError

# Stored key → the API's camelCase name (used in error fields).
ADDRESS_FIELDS = {
    "name": "name",
    "company_name": "companyName",
    "street_address_1": "streetAddress1",
    "street_address_2": "streetAddress2",
    "city": "city",
    "postal_code": "postalCode",
    "country_area": "countryArea",
    "country": "country",
    "phone": "phone",
}
REQUIRED_FIELDS = ("name", "street_address_1", "city", "country")
MAX_LENGTH = 200

# Countries whose postal codes we check; a code is then required. Elsewhere it is optional.
POSTAL_CODE_PATTERNS = {
    "AZ": re.compile(r"^(AZ )?\d{4}$"),
    "CN": re.compile(r"^\d{6}$"),
    "DE": re.compile(r"^\d{5}$"),
    "GB": re.compile(
        r"^(GIR 0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?|[0-9][A-HJKPS-UW])"
        r" [0-9][ABD-HJLNP-UW-Z]{2})$"
    ),
    "GE": re.compile(r"^\d{4}$"),
    "JP": re.compile(r"^\d{3}-\d{4}$"),
    "RU": re.compile(r"^\d{6}$"),
    "TR": re.compile(r"^\d{5}$"),
    "US": re.compile(r"^\d{5}(-\d{4})?$"),
}
POSTAL_CODE_EXAMPLES = {
    "AZ": "AZ 1000",
    "CN": "100000",
    "DE": "10115",
    "GB": "SW1A 1AA",
    "GE": "0105",
    "JP": "100-0001",
    "RU": "101000",
    "TR": "34000",
    "US": "10001 or 10001-1234",
}
# Countries without postal codes: whatever is given is dropped rather than printed on a label.
NO_POSTAL_CODES = frozenset({"AE"})
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,24}$")


@dataclass(frozen=True)
class AddressFormat:
    """What :func:`address_validate` asks of an address in one country, for forms to show."""

    country: str
    postal_code_used: bool
    postal_code_required: bool
    postal_code_example: str


def address_format(*, country: str) -> AddressFormat | None:
    """The country's address rules (None for a code that is not a country): whether it uses
    postal codes at all, and whether a code is required (then with an example of its format).
    """
    given = (country or "").strip().upper()
    code = countries.alpha2(given) if len(given) == 2 else ""
    if not code:
        return None
    return AddressFormat(
        country=code,
        postal_code_used=code not in NO_POSTAL_CODES,
        postal_code_required=code in POSTAL_CODE_PATTERNS,
        postal_code_example=POSTAL_CODE_EXAMPLES.get(code, ""),
    )


def _invalid(field: str, key: str, message: str) -> DomainError:
    return DomainError(
        CheckoutErrorCode.INVALID_ADDRESS, message, field=f"{field}.{ADDRESS_FIELDS[key]}"
    )


def _normalize_postal_code(country: str, raw: str) -> str:
    code = " ".join(raw.upper().split())
    if country == "GB" and " " not in code and len(code) >= 5:
        code = f"{code[:-3]} {code[-3:]}"  # "SW1A1AA" is written "SW1A 1AA"
    elif country == "AZ":
        digits = code.removeprefix("AZ").strip().lstrip("-").strip()
        code = f"AZ {digits}" if digits.isdigit() else code
    elif country == "JP" and code.isdigit() and len(code) == 7:
        code = f"{code[:3]}-{code[3:]}"
    return code


def address_validate(*, address: dict, field: str) -> dict:
    """The address cleaned for storage, or ``invalid_address`` naming ``<field>.<input>``.

    Rules: name, first street line, city and a known country are required; where the country
    has a checked postal-code format the code is required and must match it (``AZ 1000``,
    ``10115``, ``SW1A 1AA``, …); countries without postal codes (AE) drop it; a phone number,
    when given, has digits, spaces, brackets or dashes and may start with ``+``.
    """
    unknown = set(address) - set(ADDRESS_FIELDS)
    if unknown:
        raise DomainError(
            CheckoutErrorCode.INVALID_ADDRESS,
            f"Unknown address fields: {', '.join(sorted(unknown))}.",
            field=field,
        )
    cleaned = {}
    for key in ADDRESS_FIELDS:
        value = address.get(key)
        value = "" if value is None else " ".join(str(value).split())
        if len(value) > MAX_LENGTH:
            raise _invalid(field, key, f"At most {MAX_LENGTH} characters.")
        cleaned[key] = value
    for key in REQUIRED_FIELDS:
        if not cleaned[key]:
            raise _invalid(field, key, "This is required.")

    given = cleaned["country"].upper()
    country = countries.alpha2(given) if len(given) == 2 else ""
    if not country:
        raise _invalid(
            field, "country", f"'{cleaned['country']}' is not an ISO 3166-1 alpha-2 country code."
        )
    cleaned["country"] = country

    postal_code = cleaned["postal_code"]
    if country in NO_POSTAL_CODES:
        cleaned["postal_code"] = ""
    elif country in POSTAL_CODE_PATTERNS:
        if not postal_code:
            raise _invalid(field, "postal_code", f"A postal code is required in {country}.")
        postal_code = _normalize_postal_code(country, postal_code)
        if not POSTAL_CODE_PATTERNS[country].match(postal_code):
            raise _invalid(
                field,
                "postal_code",
                f"'{cleaned['postal_code']}' is not a postal code of {country} "
                f"(e.g. {POSTAL_CODE_EXAMPLES[country]}).",
            )
        cleaned["postal_code"] = postal_code

    if cleaned["phone"] and not PHONE.match(cleaned["phone"]):
        raise _invalid(field, "phone", "Give a phone number of digits, e.g. +994 12 345 67 89.")
    return cleaned

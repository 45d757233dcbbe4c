import pytest

from market.checkout.addresses import address_validate
from market.core.errors import DomainError


def address(country: str, postal_code: str = "", **extra) -> dict:
    return {
        "name": "Leyla Mammadova",
        "street_address_1": "1 Main Street",
        "city": "Town",
        "country": country,
        "postal_code": postal_code,
        **extra,
    }


@pytest.mark.parametrize(
    ("country", "given", "stored"),
    [
        ("AZ", "AZ 1000", "AZ 1000"),
        ("AZ", "az1000", "AZ 1000"),
        ("AZ", "1000", "AZ 1000"),
        ("DE", "10115", "10115"),
        ("GB", "SW1A 1AA", "SW1A 1AA"),
        ("GB", "sw1a1aa", "SW1A 1AA"),
        ("GB", "M1 1AE", "M1 1AE"),
        ("US", "10001", "10001"),
        ("US", "10001-1234", "10001-1234"),
        ("TR", "34000", "34000"),
        ("GE", "0105", "0105"),
        ("RU", "101000", "101000"),
        ("CN", "100000", "100000"),
        ("JP", "100-0001", "100-0001"),
        ("JP", "1000001", "100-0001"),
        ("FR", "75001", "75001"),
        ("FR", "", ""),
    ],
)
def test_a_postal_code_in_the_countrys_format_is_accepted_and_normalised(country, given, stored):
    assert (
        address_validate(address=address(country, given), field="shippingAddress")["postal_code"]
        == stored
    )


@pytest.mark.parametrize(
    ("country", "given"),
    [
        ("AZ", "AZ 10000"),
        ("AZ", "ABC"),
        ("DE", "1011"),
        ("DE", "101155"),
        ("GB", "12345"),
        ("GB", "SW1A 1A"),
        ("US", "1000"),
        ("US", "10001-12"),
        ("TR", "3400"),
        ("GE", "01050"),
        ("RU", "10100"),
        ("CN", "1000000"),
        ("JP", "100-001"),
    ],
)
def test_a_postal_code_not_in_the_countrys_format_is_refused(country, given):
    with pytest.raises(DomainError) as refused:
        address_validate(address=address(country, given), field="shippingAddress")

    assert (refused.value.code, refused.value.field) == (
        "invalid_address",
        "shippingAddress.postalCode",
    )


@pytest.mark.parametrize("country", ["AZ", "DE", "GB", "US", "TR", "GE", "RU", "CN", "JP"])
def test_a_postal_code_is_required_where_the_country_has_a_checked_format(country):
    with pytest.raises(DomainError) as refused:
        address_validate(address=address(country, ""), field="billingAddress")

    assert (refused.value.code, refused.value.field) == (
        "invalid_address",
        "billingAddress.postalCode",
    )


def test_the_emirates_need_no_postal_code_and_any_given_is_dropped():
    assert address_validate(address=address("AE", ""), field="a")["postal_code"] == ""
    assert address_validate(address=address("AE", "00000"), field="a")["postal_code"] == ""


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ("name", "shippingAddress.name"),
        ("street_address_1", "shippingAddress.streetAddress1"),
        ("city", "shippingAddress.city"),
        ("country", "shippingAddress.country"),
    ],
)
def test_name_street_city_and_country_are_required(missing, field):
    given = address("DE", "10115")
    given[missing] = "  "

    with pytest.raises(DomainError) as refused:
        address_validate(address=given, field="shippingAddress")

    assert (refused.value.code, refused.value.field) == ("invalid_address", field)


@pytest.mark.parametrize("country", ["XX", "Germany", "DEU"])
def test_an_unknown_country_is_refused(country):
    with pytest.raises(DomainError) as refused:
        address_validate(address=address(country), field="shippingAddress")

    assert refused.value.field == "shippingAddress.country"


def test_the_country_is_stored_upper_case_and_the_phone_is_optional():
    cleaned = address_validate(address=address("de", "10115"), field="shippingAddress")

    assert cleaned == {
        "name": "Leyla Mammadova",
        "company_name": "",
        "street_address_1": "1 Main Street",
        "street_address_2": "",
        "city": "Town",
        "postal_code": "10115",
        "country_area": "",
        "country": "DE",
        "phone": "",
    }


def test_a_phone_number_when_given_must_be_digits():
    assert (
        address_validate(address=address("AZ", "AZ 1000", phone="+994 12 345-67-89"), field="a")[
            "phone"
        ]
        == "+994 12 345-67-89"
    )
    with pytest.raises(DomainError) as refused:
        address_validate(address=address("AZ", "AZ 1000", phone="call me"), field="a")

    assert refused.value.field == "a.phone"

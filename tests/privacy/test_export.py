"""A person's data export: everything we hold about them, nothing of anyone else, no secrets."""

import json

import pytest

from market.accounts.services import sign_in_create
from market.core.models import PersonalDataAccess
from market.privacy.services import personal_data_export
from tests.factories import UserFactory, checkout_with, listed_product
from tests.privacy.helpers import bank_account, buyer, delivered_order
from tests.sellers.helpers import application, with_document

pytestmark = pytest.mark.django_db


def test_export_holds_the_buyers_account_orders_and_addresses_and_nobody_elses():
    leyla, other = buyer(), UserFactory(email="other@example.com")
    order, _, _ = delivered_order(buyer=leyla)
    others_order, _, _ = delivered_order(buyer=other)

    data = personal_data_export(user=leyla)

    assert data["account"]["email"] == leyla.email
    assert data["account"]["first_name"] == "Leyla"
    assert [o["number"] for o in data["orders"]] == [order.number]
    exported = data["orders"][0]
    assert exported["total"] == {"amount": str(order.total_amount), "currency": "AZN"}
    assert exported["shipping_address"]["street_address_1"] == "Nizami 10"
    assert sum(len(part["lines"]) for part in exported["parts"]) == 2
    assert data["addresses"][0]["city"] == "Baku"
    text = json.dumps(data)
    assert others_order.number not in text and "other@example.com" not in text


def test_export_holds_guest_orders_placed_with_the_verified_address():
    leyla = buyer()
    guest_order, _, _ = delivered_order(buyer=None, email=leyla.email)

    data = personal_data_export(user=leyla)

    assert [(o["number"], o["placed_as"]) for o in data["orders"]] == [
        (guest_order.number, "guest")
    ]


def test_export_holds_guest_orders_whose_address_was_typed_in_other_capitals():
    leyla = buyer()
    local, _, domain = leyla.email.partition("@")
    guest_order, _, _ = delivered_order(buyer=None, email=f"{local.upper()}@{domain}")

    data = personal_data_export(user=leyla)

    assert [o["number"] for o in data["orders"]] == [guest_order.number]


def test_export_carries_no_password_hash_token_or_full_iban():
    maker = UserFactory()
    seller = application(user=maker)
    with_document(seller)
    bank_account(seller)
    listed_product(seller=seller)
    pair = sign_in_create(user=maker)
    checkout = checkout_with((listed_product().variants.get(), 1), currency="AZN", country="AZ")
    checkout.user = maker
    checkout.save()

    data = personal_data_export(user=maker)

    text = json.dumps(data)
    assert maker.password not in text
    assert pair.refresh_token not in text
    assert str(checkout.token) not in text
    assert "AZ21NABZ00000000137010001944" not in text
    assert data["seller"]["payout_account"]["iban_last4"] == "1944"
    assert data["seller"]["documents"][0]["file_name"] == "certificate.pdf"
    assert len(data["seller"]["products"]) == 1
    assert len(data["sign_ins"]) == 1
    assert len(data["checkouts"]) == 1


def test_an_export_is_written_to_the_audit_log_of_the_person():
    leyla = buyer()

    personal_data_export(user=leyla)

    entry = PersonalDataAccess.objects.get()
    assert (entry.actor, entry.subject, entry.action) == (leyla, leyla, "export")

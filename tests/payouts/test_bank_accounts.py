"""The bank route: Azerbaijani residents are paid by bank transfer to details staff verified."""

import pytest

from market.payouts.models import PayoutAccount, PayoutAccountEvent
from market.sellers.models import SellerStatus
from tests.factories import StaffFactory
from tests.payouts.helpers import (
    AZ_IBAN,
    BANK_ACCOUNT_SET,
    BANK_ACCOUNT_VERIFY,
    BANK_INPUT,
    DE_IBAN,
    PAYOUT_STATUS,
    seller_global_id,
    seller_with_bank_details,
    seller_with_user,
)

pytestmark = pytest.mark.django_db


def set_bank_account(gql_as, seller, **changes):
    return gql_as(seller.user).execute(BANK_ACCOUNT_SET, {"input": {**BANK_INPUT, **changes}})[
        "sellerPayoutBankAccountSet"
    ]


def test_an_azerbaijani_iban_is_accepted_and_stored_compact(gql_as):
    seller = seller_with_user(country="AZ")

    data = set_bank_account(gql_as, seller)

    assert data["errors"] == []
    account = PayoutAccount.objects.get(seller=seller)
    assert (
        account.route,
        account.account_holder,
        account.iban,
        account.bic,
        account.bank_name,
        account.currency,
        account.bank_verified_at,
    ) == (
        "bank_transfer",
        "Leyla Mammadova",
        AZ_IBAN,
        "NABZAZ2X",
        "Central Bank of Azerbaijan",
        "AZN",
        None,
    )
    assert data["payoutStatus"] == {
        "route": "BANK_TRANSFER",
        "isReady": False,
        "payoutsEnabled": False,
        "missing": ["Staff have not verified the bank account yet."],
        "bankAccount": {
            "accountHolder": "Leyla Mammadova",
            "ibanLast4": "1944",
            "bic": "NABZAZ2X",
            "bankName": "Central Bank of Azerbaijan",
            "currency": "AZN",
            "verified": False,
        },
    }


def test_a_german_iban_is_accepted_in_any_spelling(gql_as):
    seller = seller_with_user(country="AZ")

    data = set_bank_account(
        gql_as, seller, iban="de89 3704 0044 0532 0130 00", bic="cobadeffxxx", currency="eur"
    )

    assert data["errors"] == []
    account = PayoutAccount.objects.get(seller=seller)
    assert (account.iban, account.bic, account.currency) == (DE_IBAN, "COBADEFFXXX", "EUR")


def test_an_iban_with_a_wrong_checksum_is_refused_and_nothing_stored(gql_as):
    seller = seller_with_user(country="AZ")

    data = set_bank_account(gql_as, seller, iban="AZ22NABZ00000000137010001944")

    assert data["errors"] == [
        {
            "field": "iban",
            "code": "INVALID_IBAN",
            "message": "This IBAN's check digits are wrong: please check it for typos.",
        }
    ]
    assert not PayoutAccount.objects.exists()


def test_an_invalid_bic_is_refused(gql_as):
    seller = seller_with_user(country="AZ")

    data = set_bank_account(gql_as, seller, bic="NAB1")

    assert [(e["field"], e["code"]) for e in data["errors"]] == [("bic", "INVALID_BIC")]
    assert not PayoutAccount.objects.exists()


def test_a_currency_we_do_not_deal_in_is_refused(gql_as):
    seller = seller_with_user(country="AZ")

    data = set_bank_account(gql_as, seller, currency="XYZ")

    assert [(e["field"], e["code"]) for e in data["errors"]] == [("currency", "UNKNOWN_CURRENCY")]
    assert not PayoutAccount.objects.exists()


def test_an_empty_account_holder_is_refused(gql_as):
    seller = seller_with_user(country="AZ")

    data = set_bank_account(gql_as, seller, accountHolder="   ")

    assert [(e["field"], e["code"]) for e in data["errors"]] == [("accountHolder", "INVALID")]
    assert not PayoutAccount.objects.exists()


def test_a_stripe_connect_seller_cannot_set_a_bank_account(gql_as):
    seller = seller_with_user(country="DE")

    data = set_bank_account(gql_as, seller)

    assert [e["code"] for e in data["errors"]] == ["WRONG_ROUTE"]
    assert not PayoutAccount.objects.exists()


def test_a_draft_application_cannot_set_a_bank_account(gql_as):
    seller = seller_with_user(country="AZ", status=SellerStatus.DRAFT)

    data = set_bank_account(gql_as, seller)

    assert [e["code"] for e in data["errors"]] == ["NOT_APPROVED"]
    assert not PayoutAccount.objects.exists()


def test_changing_verified_details_needs_verification_again(gql_as):
    account = seller_with_bank_details()
    account.bank_verified_at = account.created_at
    account.save()

    data = set_bank_account(gql_as, account.seller, iban=DE_IBAN, bic="COBADEFFXXX")

    account.refresh_from_db()
    assert (account.iban, account.bank_verified_at, account.bank_verified_by) == (
        DE_IBAN,
        None,
        None,
    )
    assert data["payoutStatus"]["isReady"] is False


def test_setting_the_same_details_again_keeps_the_verification(gql_as):
    account = seller_with_bank_details()
    account.bank_verified_at = verified_at = account.created_at
    account.save()

    set_bank_account(gql_as, account.seller)

    account.refresh_from_db()
    assert account.bank_verified_at == verified_at
    assert not PayoutAccountEvent.objects.filter(kind="bank_details_set").exists()


def test_staff_verify_a_bank_account_and_the_seller_is_ready(gql_as):
    account = seller_with_bank_details()
    staff = StaffFactory(permissions=["payouts.manage_payouts"])

    data = gql_as(staff).execute(
        BANK_ACCOUNT_VERIFY, {"sellerId": seller_global_id(account.seller)}
    )["sellerPayoutBankAccountVerify"]

    assert data == {
        "errors": [],
        "payoutStatus": {
            "route": "BANK_TRANSFER",
            "isReady": True,
            "missing": [],
            "bankAccount": {"ibanLast4": "1944", "verified": True},
        },
    }
    account.refresh_from_db()
    assert account.bank_verified_by == staff
    assert account.bank_verified_at is not None
    event = PayoutAccountEvent.objects.get(kind="bank_verified")
    assert (event.actor, event.data) == (staff, {"iban_last4": "1944"})


def test_verifying_twice_keeps_the_first_verification(gql_as):
    account = seller_with_bank_details()
    first, second = StaffFactory.create_batch(2, permissions=["payouts.manage_payouts"])
    variables = {"sellerId": seller_global_id(account.seller)}
    gql_as(first).execute(BANK_ACCOUNT_VERIFY, variables)

    data = gql_as(second).execute(BANK_ACCOUNT_VERIFY, variables)["sellerPayoutBankAccountVerify"]

    assert data["errors"] == []
    account.refresh_from_db()
    assert account.bank_verified_by == first
    assert PayoutAccountEvent.objects.filter(kind="bank_verified").count() == 1


def test_a_seller_without_bank_details_cannot_be_verified(gql_as):
    seller = seller_with_user(country="AZ")
    staff = StaffFactory(permissions=["payouts.manage_payouts"])

    data = gql_as(staff).execute(BANK_ACCOUNT_VERIFY, {"sellerId": seller_global_id(seller)})

    assert data["sellerPayoutBankAccountVerify"]["errors"] == [
        {
            "field": "sellerId",
            "code": "NO_BANK_ACCOUNT",
            "message": "This seller has not added a bank account yet.",
        }
    ]
    assert not PayoutAccount.objects.exists()


def test_verifying_an_unknown_seller_is_not_found(gql_as):
    staff = StaffFactory(permissions=["payouts.manage_payouts"])

    data = gql_as(staff).execute(BANK_ACCOUNT_VERIFY, {"sellerId": "U2VsbGVyOjk5OTk5"})

    assert [e["code"] for e in data["sellerPayoutBankAccountVerify"]["errors"]] == ["NOT_FOUND"]


def test_a_seller_id_of_another_type_is_an_argument_error(gql_as):
    staff = StaffFactory(permissions=["payouts.manage_payouts"])

    errors = gql_as(staff).errors(BANK_ACCOUNT_VERIFY, {"sellerId": "UHJvZHVjdDox"})

    assert errors[0]["extensions"] == {"code": "invalid_argument", "field": "sellerId"}


def test_payout_status_shows_what_is_missing_until_the_bank_route_is_ready(gql_as):
    seller = seller_with_user(country="AZ")
    staff = StaffFactory(permissions=["payouts.manage_payouts"])
    client = gql_as(seller.user)

    before = client.execute(PAYOUT_STATUS)["sellerPayoutStatus"]
    set_bank_account(gql_as, seller)
    pending = client.execute(PAYOUT_STATUS)["sellerPayoutStatus"]
    gql_as(staff).execute(BANK_ACCOUNT_VERIFY, {"sellerId": seller_global_id(seller)})
    after = client.execute(PAYOUT_STATUS)["sellerPayoutStatus"]

    assert (before["isReady"], before["missing"], before["bankAccount"]) == (
        False,
        ["Add the bank account to be paid to."],
        None,
    )
    assert (pending["isReady"], pending["missing"]) == (
        False,
        ["Staff have not verified the bank account yet."],
    )
    assert (after["isReady"], after["missing"], after["payoutsEnabled"]) == (True, [], True)
    assert after["bankAccount"]["verified"] is True

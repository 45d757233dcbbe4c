"""Shared GraphQL documents and arrangements for the payout tests."""

from market.payouts.models import PayoutAccount
from tests.factories import SellerFactory, UserFactory

ONBOARDING = """
mutation { sellerPayoutOnboardingLinkCreate {
  url expiresAt
  payoutStatus { route isReady missing chargesEnabled payoutsEnabled requirementsDue }
  errors { field code message }
} }"""

BANK_ACCOUNT_SET = """
mutation Set($input: SellerPayoutBankAccountInput!) { sellerPayoutBankAccountSet(input: $input) {
  payoutStatus { route isReady missing payoutsEnabled
    bankAccount { accountHolder ibanLast4 bic bankName currency verified } }
  errors { field code message }
} }"""

BANK_ACCOUNT_VERIFY = """
mutation Verify($sellerId: ID!) { sellerPayoutBankAccountVerify(sellerId: $sellerId) {
  payoutStatus { route isReady missing bankAccount { ibanLast4 verified } }
  errors { field code message }
} }"""

PAYOUT_STATUS = """
{ sellerPayoutStatus { route isReady missing chargesEnabled payoutsEnabled requirementsDue
  disabledReason bankAccount { accountHolder ibanLast4 bic bankName currency verified } } }"""

AZ_IBAN = "AZ21NABZ00000000137010001944"
DE_IBAN = "DE89370400440532013000"

BANK_INPUT = {
    "accountHolder": "Leyla Mammadova",
    "iban": "AZ21 NABZ 0000 0000 1370 1000 1944",
    "bic": "NABZAZ2X",
    "bankName": "Central Bank of Azerbaijan",
    "currency": "AZN",
}


def seller_with_user(**kwargs):
    return SellerFactory(user=UserFactory(), **kwargs)


def seller_with_bank_details(**kwargs) -> PayoutAccount:
    seller = seller_with_user(country="AZ", **kwargs)
    return PayoutAccount.objects.create(
        seller=seller,
        route="bank_transfer",
        account_holder="Leyla Mammadova",
        iban=AZ_IBAN,
        bic="NABZAZ2X",
        bank_name="Central Bank of Azerbaijan",
        currency="AZN",
    )


def seller_global_id(seller) -> str:
    from graphql_relay import to_global_id

    return to_global_id("Seller", seller.pk)

import graphene

from market.core.permissions import StaffPermission
from market.graphql.core.auth import require_seller, require_staff_permission
from market.graphql.core.ids import decode_global_ids, pk_or_refused
from market.graphql.core.mutations import BaseMutation, error_type
from market.graphql.payouts.types import Payout, PayoutStatus
from market.payouts import accounts, paying
from market.payouts.error_codes import PayoutErrorCode
from market.payouts.selectors import payout_status_get

PayoutError = error_type("PayoutError", PayoutErrorCode)


class SellerPayoutOnboardingLinkCreate(BaseMutation):
    """A fresh Stripe onboarding link for the signed-in seller (Stripe Connect route only).

    Open `url` before `expiresAt`; ask again for a new link when it has expired.
    """

    url = graphene.String()
    expires_at = graphene.DateTime()
    payout_status = graphene.Field(PayoutStatus)

    class Meta:
        error_type = PayoutError

    @classmethod
    def perform(cls, root, info):
        seller = require_seller(info)
        link = accounts.payout_onboarding_link_create(seller=seller)
        return {
            "url": link.url,
            "expires_at": link.expires_at,
            "payout_status": payout_status_get(seller=seller),
        }


class SellerPayoutBankAccountInput(graphene.InputObjectType):
    account_holder = graphene.String(required=True)
    iban = graphene.String(required=True)
    bic = graphene.String(required=True, description="BIC / SWIFT code of the bank.")
    bank_name = graphene.String(required=True)
    currency = graphene.String(required=True, description="ISO 4217 code to be paid in.")


class SellerPayoutBankAccountSet(BaseMutation):
    """Set the bank account the signed-in seller is paid to (bank transfer route only).

    Changed details wait for staff verification again.
    """

    payout_status = graphene.Field(PayoutStatus)

    class Arguments:
        input = SellerPayoutBankAccountInput(required=True)

    class Meta:
        error_type = PayoutError

    @classmethod
    def perform(cls, root, info, input):
        seller = require_seller(info)
        accounts.payout_bank_account_set(
            seller=seller,
            account_holder=input.account_holder,
            iban=input.iban,
            bic=input.bic,
            bank_name=input.bank_name,
            currency=input.currency,
        )
        return {"payout_status": payout_status_get(seller=seller)}


class SellerPayoutBankAccountVerify(BaseMutation):
    """Staff: confirm a seller's bank details (needs `payouts.manage_payouts`)."""

    payout_status = graphene.Field(PayoutStatus)

    class Arguments:
        seller_id = graphene.ID(required=True)

    class Meta:
        error_type = PayoutError

    @classmethod
    def perform(cls, root, info, seller_id):
        staff = require_staff_permission(info, StaffPermission.MANAGE_PAYOUTS)
        (pk,) = decode_global_ids("sellerId", [seller_id], "Seller")
        account = accounts.payout_bank_account_verify(seller_id=pk, actor=staff)
        return {"payout_status": payout_status_get(seller=account.seller)}


class PayoutRelease(BaseMutation):
    """Staff: release a paid order part for payout before its hold period ends (needs
    `payouts.manage_payouts`): its payout is created and queued now. When the seller's payout
    route is not verified yet, `payout` is null and the daily payout run pays it once it is.
    Releasing again changes nothing."""

    released_at = graphene.DateTime()
    payout = graphene.Field(
        Payout,
        description="The part's payout, queued; null until the seller's payout route "
        "is verified, or when nothing is owed.",
    )

    class Arguments:
        id = graphene.ID(required=True, description="The order part to release.")

    class Meta:
        error_type = PayoutError

    @classmethod
    def perform(cls, root, info, id):
        staff = require_staff_permission(info, StaffPermission.MANAGE_PAYOUTS)
        pk = pk_or_refused(
            id, "OrderPart", code=PayoutErrorCode.NOT_FOUND, message="There is no such order part."
        )
        released = paying.payout_release(part_id=pk, actor=staff)
        return {"released_at": released.release.released_at, "payout": released.payout}


class PayoutRetry(BaseMutation):
    """Staff: try a failed payout again (needs `payouts.manage_payouts`), e.g. once the seller
    has fixed their payout route. It goes back to PENDING and a worker pays it, no more than is
    still owed; only a FAILED payout can be retried (NOT_RETRYABLE)."""

    payout = graphene.Field(Payout)

    class Arguments:
        id = graphene.ID(required=True, description="The failed payout.")

    class Meta:
        error_type = PayoutError

    @classmethod
    def perform(cls, root, info, id):
        staff = require_staff_permission(info, StaffPermission.MANAGE_PAYOUTS)
        pk = pk_or_refused(
            id, "Payout", code=PayoutErrorCode.NOT_FOUND, message="There is no such payout."
        )
        return {"payout": paying.payout_retry(payout_id=pk, actor=staff)}


class PayoutsMutations(graphene.ObjectType):
    """Mutations of this area; the root Mutation type inherits them."""

    seller_payout_onboarding_link_create = SellerPayoutOnboardingLinkCreate.Field()
    seller_payout_bank_account_set = SellerPayoutBankAccountSet.Field()
    seller_payout_bank_account_verify = SellerPayoutBankAccountVerify.Field()
    payout_release = PayoutRelease.Field()
    payout_retry = PayoutRetry.Field()

"""Payout accounts, payouts and balances: a seller sees only their own; staff holding
``payouts.manage_payouts`` see every payout."""

import graphene

from market.core.permissions import StaffPermission
from market.graphql.core.auth import require_seller, require_staff_permission
from market.graphql.core.ids import decode_global_ids
from market.graphql.core.pagination import paginate
from market.graphql.payouts.types import PayoutConnection, PayoutState, PayoutStatus, SellerBalance
from market.payouts import selectors
from market.payouts.selectors import payout_status_get


def _status_argument(status):
    return None if status is None else getattr(status, "value", status)


class PayoutsQueries(graphene.ObjectType):
    """Queries about payout accounts and payouts."""

    seller_payout_status = graphene.Field(
        PayoutStatus, description="How the signed-in seller gets paid and what is missing."
    )
    seller_payouts = graphene.Field(
        graphene.NonNull(PayoutConnection),
        first=graphene.Int(),
        after=graphene.String(),
        status=PayoutState(),
        description="The signed-in seller's payouts, newest first.",
    )
    seller_balance = graphene.Field(
        graphene.NonNull(SellerBalance),
        description="What the platform owes the signed-in seller now, and where it stands.",
    )
    payouts = graphene.Field(
        graphene.NonNull(PayoutConnection),
        first=graphene.Int(),
        after=graphene.String(),
        status=PayoutState(),
        seller_id=graphene.ID(description="Only this seller's payouts."),
        description="Staff (payouts.manage_payouts): every payout, newest first.",
    )

    def resolve_seller_payout_status(self, info):
        return payout_status_get(seller=require_seller(info))

    def resolve_seller_payouts(self, info, first=None, after=None, status=None):
        seller = require_seller(info)
        payouts = selectors.payout_list_for_seller(seller=seller, status=_status_argument(status))
        return PayoutConnection.from_page(
            paginate(payouts, prefix="seller-payout", first=first, after=after)
        )

    def resolve_seller_balance(self, info):
        return selectors.seller_payout_balance(seller=require_seller(info))

    def resolve_payouts(self, info, first=None, after=None, status=None, seller_id=None):
        require_staff_permission(info, StaffPermission.MANAGE_PAYOUTS)
        (pk,) = (
            decode_global_ids("sellerId", [seller_id], "Seller")
            if seller_id is not None
            else (None,)
        )
        payouts = selectors.payout_list_for_staff(status=_status_argument(status), seller_id=pk)
        return PayoutConnection.from_page(
            paginate(payouts, prefix="payout", first=first, after=after)
        )

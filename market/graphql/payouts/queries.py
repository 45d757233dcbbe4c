import graphene

from market.graphql.core.auth import require_seller
from market.graphql.payouts.types import PayoutStatus
from market.payouts.selectors import payout_status_get


class PayoutsQueries(graphene.ObjectType):
    """Queries about payout accounts."""

    seller_payout_status = graphene.Field(
        PayoutStatus, description="How the signed-in seller gets paid and what is missing.")

    def resolve_seller_payout_status(self, info):
        return payout_status_get(seller=require_seller(info))

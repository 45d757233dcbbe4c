"""Fulfilment: the seller ships their part (carrier, tracking number) and marks it delivered;
staff holding ``orders.manage_orders`` may also mark a part delivered. Another seller's part
answers like a missing one."""

import graphene

from market.graphql.core.auth import require_seller
from market.graphql.core.mutations import BaseMutation
from market.graphql.orders.mutations.orders import _pk as part_pk
from market.graphql.orders.mutations.orders import part_for_seller_or_manager
from market.graphql.orders.types import OrderError, SellerOrderPart
from market.orders import fulfilment, selectors


class OrderPartShip(BaseMutation):
    """The seller sends their paid part: ``carrier`` is a carrier code (``manual`` for any
    carrier we do not follow ourselves); the buyer is e-mailed the tracking number."""

    part = graphene.Field(SellerOrderPart)

    class Arguments:
        id = graphene.ID(required=True)
        carrier = graphene.String(required=True)
        tracking_number = graphene.String()

    class Meta:
        error_type = OrderError

    @classmethod
    def perform(cls, root, info, id, carrier, tracking_number=None):
        seller = require_seller(info)
        part = selectors.order_part_get_for_seller(seller=seller, part_id=part_pk(id, "OrderPart"))
        part = fulfilment.part_ship(
            part=part,
            actor=info.context.user,
            carrier_code=carrier,
            tracking_number=tracking_number or "",
        )
        return {"part": selectors.order_part_get_with_details(part_id=part.pk)}


class OrderPartDeliver(BaseMutation):
    """A shipped part has arrived (its seller, or staff with orders.manage_orders): the seller's
    hold period before the payout starts now."""

    part = graphene.Field(SellerOrderPart)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = OrderError

    @classmethod
    def perform(cls, root, info, id):
        access = part_for_seller_or_manager(info, part_pk(id, "OrderPart"))
        part = fulfilment.part_deliver(part=access.part, actor=access.user)
        return {"part": selectors.order_part_get_with_details(part_id=part.pk)}


class FulfilmentMutations(graphene.ObjectType):
    """Inherited by the root Mutation type."""

    order_part_ship = OrderPartShip.Field()
    order_part_deliver = OrderPartDeliver.Field()

"""Refunding a seller's part of an order: staff holding orders.manage_orders any time, the
part's seller before it ships. Another seller's part answers like a missing one."""

import graphene
from graphql_relay import to_global_id

from market.core.money import Money as MoneyValue
from market.core.money import quantize
from market.core.permissions import StaffPermission
from market.graphql.core.auth import require_seller, require_user, staff_may
from market.graphql.core.ids import pk_from_global_id
from market.graphql.core.mutations import BaseMutation
from market.graphql.core.types import ConvertedPrice, Money
from market.graphql.payments.mutations import PaymentError
from market.orders import selectors as order_selectors
from market.orders.selectors import order_price_converter
from market.payments import refunds
from market.payments.models import RefundStatus as RefundStatusChoices

RefundStatus = graphene.Enum.from_enum(RefundStatusChoices, name="RefundStatus")


class Refund(graphene.ObjectType):
    """Money given back to the buyer for one seller's part, in the order's currency."""

    id = graphene.ID(required=True)
    status = graphene.Field(RefundStatus, required=True)
    amount = graphene.Field(Money, required=True)
    reason = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)

    def resolve_id(self, info):
        return to_global_id("Refund", self.pk)

    def resolve_amount(self, info):
        return ConvertedPrice(
            MoneyValue(quantize(self.amount, self.currency), self.currency),
            order_price_converter(order=self.order_part.order),
        )


class OrderPartRefund(BaseMutation):
    """Refund the buyer for one seller's part (default: all that is left of it). Send a fresh
    idempotency key per refund and repeat it on retries: the same key answers with the same
    refund, never a second one."""

    refund = graphene.Field(Refund)

    class Arguments:
        part_id = graphene.ID(required=True)
        amount = graphene.Decimal(
            description="In the order's currency; default: all that is left to refund of the part."
        )
        reason = graphene.String(required=True)
        idempotency_key = graphene.String(required=True)

    class Meta:
        error_type = PaymentError

    @classmethod
    def perform(cls, root, info, part_id, reason, idempotency_key, amount=None):
        user = require_user(info)
        pk = pk_from_global_id(part_id, "OrderPart")
        by_order_manager = staff_may(user, StaffPermission.MANAGE_ORDERS)
        if by_order_manager:
            part = order_selectors.order_part_get_for_staff(part_id=pk, field="partId")
        else:
            part = order_selectors.order_part_get_for_seller(
                seller=require_seller(info), part_id=pk, field="partId"
            )
        refund = refunds.refund_create(
            part=part,
            amount=amount,
            reason=reason,
            idempotency_key=idempotency_key,
            actor=user,
            by_order_manager=by_order_manager,
        )
        return {"refund": refund}


class RefundsMutations(graphene.ObjectType):
    """Inherited by the root Mutation type."""

    order_part_refund = OrderPartRefund.Field()

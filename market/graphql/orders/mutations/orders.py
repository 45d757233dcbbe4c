"""Moving an order or a seller's part: cancelling, marking paid, starting fulfilment.

Someone else's order or part answers like a missing one.
"""

from dataclasses import dataclass
from typing import Any

import graphene

from market.core.errors import DomainError
from market.core.permissions import StaffPermission
from market.graphql.core.auth import (
    current_user,
    require_seller,
    require_staff_permission,
    require_user,
    staff_may,
)
from market.graphql.core.ids import pk_or_refused
from market.graphql.core.mutations import BaseMutation
from market.graphql.orders.types import Order, OrderError, SellerOrderPart
from market.orders import selectors, services
from market.orders.error_codes import OrderErrorCode
from market.orders.models import OrderPart as OrderPartModel

MAX_REASON = 500


def _pk(global_id: str | None, expected_type: str, field: str = "id") -> int:
    return pk_or_refused(
        global_id,
        expected_type,
        code=OrderErrorCode.NOT_FOUND,
        message=f"No such {expected_type}.",
        field=field,
    )


@dataclass(frozen=True)
class PartAccess:
    """An order part fetched for the one asking: its seller, or an order manager."""

    part: OrderPartModel
    user: Any
    by_order_manager: bool


def part_for_seller_or_manager(info, part_pk: int | None, *, field: str = "id") -> PartAccess:
    """The gatekeeper of the mutations a part's seller and order managers share: staff holding
    ``orders.manage_orders`` reach any part, a seller only their own (anyone else's answers
    ``not_found``), and anyone else is refused as not a seller."""
    user = require_user(info)
    if staff_may(user, StaffPermission.MANAGE_ORDERS):
        part = selectors.order_part_get_for_staff(part_id=part_pk, field=field)
        return PartAccess(part=part, user=user, by_order_manager=True)
    part = selectors.order_part_get_for_seller(
        seller=require_seller(info), part_id=part_pk, field=field
    )
    return PartAccess(part=part, user=user, by_order_manager=False)


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise DomainError(
            OrderErrorCode.INVALID,
            f"The reason may be at most {MAX_REASON} characters.",
            field="reason",
        )
    return reason


class OrderCancel(BaseMutation):
    """Cancel an order before it ships. A guest names it by ``token``; a signed-in buyer by
    ``id`` (their own, while unpaid); staff with ``orders.manage_orders`` any order by ``id``."""

    order = graphene.Field(Order)

    class Arguments:
        id = graphene.ID()
        token = graphene.UUID()
        reason = graphene.String()

    class Meta:
        error_type = OrderError

    @classmethod
    def perform(cls, root, info, id=None, token=None, reason=None):
        if (id is None) == (token is None):
            raise DomainError(OrderErrorCode.INVALID, "Give either 'id' or 'token'.", field="id")
        if token is not None:
            order = selectors.order_get_by_token_or_404(token=token)
            actor = current_user(info)
        else:
            actor = require_user(info)
            pk = _pk(id, "Order")
            order = (
                selectors.order_get_for_staff(order_id=pk)
                if staff_may(actor, StaffPermission.MANAGE_ORDERS)
                else selectors.order_get_for_buyer(user=actor, order_id=pk)
            )
        order = services.order_cancel(
            order=order,
            actor=actor,
            reason=_reason(reason),
            by_order_manager=staff_may(actor, StaffPermission.MANAGE_ORDERS),
        )
        return {"order": selectors.order_get_with_details(order_id=order.pk)}


class OrderMarkPaid(BaseMutation):
    """Staff (orders.manage_orders): record that an order was paid outside the gateway."""

    order = graphene.Field(Order)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = OrderError

    @classmethod
    def perform(cls, root, info, id):
        staff = require_staff_permission(info, StaffPermission.MANAGE_ORDERS)
        order = selectors.order_get_for_staff(order_id=_pk(id, "Order"))
        order = services.order_mark_paid(order=order, actor=staff)
        return {"order": selectors.order_get_with_details(order_id=order.pk)}


class OrderPartStartFulfilment(BaseMutation):
    """The seller starts making or packing their paid part."""

    part = graphene.Field(SellerOrderPart)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = OrderError

    @classmethod
    def perform(cls, root, info, id):
        seller = require_seller(info)
        part = selectors.order_part_get_for_seller(seller=seller, part_id=_pk(id, "OrderPart"))
        part = services.order_part_start_fulfilment(part=part, actor=info.context.user)
        return {"part": selectors.order_part_get_with_details(part_id=part.pk)}


class OrderPartCancel(BaseMutation):
    """Cancel one seller's part before it ships (its seller, or staff with
    orders.manage_orders); its units go back in stock."""

    part = graphene.Field(SellerOrderPart)

    class Arguments:
        id = graphene.ID(required=True)
        reason = graphene.String()

    class Meta:
        error_type = OrderError

    @classmethod
    def perform(cls, root, info, id, reason=None):
        access = part_for_seller_or_manager(info, _pk(id, "OrderPart"))
        part = services.order_part_cancel(
            part=access.part, actor=access.user, reason=_reason(reason)
        )
        return {"part": selectors.order_part_get_with_details(part_id=part.pk)}


class OrdersMutations(graphene.ObjectType):
    """Inherited by the root Mutation type."""

    order_cancel = OrderCancel.Field()
    order_mark_paid = OrderMarkPaid.Field()
    order_part_start_fulfilment = OrderPartStartFulfilment.Field()
    order_part_cancel = OrderPartCancel.Field()

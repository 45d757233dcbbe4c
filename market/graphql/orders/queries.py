"""What buyers, sellers and staff see of orders.

A buyer sees their own orders (a guest one order, by its token); a seller sees only their own
parts, never the other sellers' lines; staff holding ``orders.manage_orders`` see every order.
"""

import graphene

from market.core.permissions import StaffPermission
from market.graphql.core.auth import require_seller, require_staff_permission, require_user
from market.graphql.core.pagination import paginate
from market.graphql.orders.types import (
    Order,
    OrderConnection,
    OrderStatus,
    SellerOrderPartConnection,
)
from market.orders import selectors


def orders_page_for_user(user, *, first=None, after=None) -> OrderConnection:
    """A buyer's own orders, newest first (``myOrders`` and ``me { orders }``)."""
    page = paginate(
        selectors.orders_for_user(user=user), prefix="my-order", first=first, after=after
    )
    return OrderConnection.from_page(page)


def _status_argument(status):
    return None if status is None else getattr(status, "value", status)


class OrdersQueries(graphene.ObjectType):
    """Inherited by the root Query type."""

    my_orders = graphene.Field(
        graphene.NonNull(OrderConnection),
        first=graphene.Int(),
        after=graphene.String(),
        description="The signed-in buyer's orders, newest first.",
    )
    order_by_token = graphene.Field(
        Order,
        token=graphene.UUID(required=True),
        description="One order by its secret token (the guest's link); null when unknown.",
    )
    seller_orders = graphene.Field(
        graphene.NonNull(SellerOrderPartConnection),
        first=graphene.Int(),
        after=graphene.String(),
        status=OrderStatus(),
        description="Sellers: their own parts of orders, newest first.",
    )
    orders = graphene.Field(
        graphene.NonNull(OrderConnection),
        first=graphene.Int(),
        after=graphene.String(),
        status=OrderStatus(),
        description="Staff (orders.manage_orders): every order.",
    )

    def resolve_my_orders(self, info, first=None, after=None):
        return orders_page_for_user(require_user(info), first=first, after=after)

    def resolve_order_by_token(self, info, token):
        return selectors.order_get_by_token(token=token)

    def resolve_seller_orders(self, info, first=None, after=None, status=None):
        seller = require_seller(info)
        parts = selectors.order_parts_for_seller(seller=seller, status=_status_argument(status))
        page = paginate(parts, prefix="seller-order", first=first, after=after)
        return SellerOrderPartConnection.from_page(page)

    def resolve_orders(self, info, first=None, after=None, status=None):
        require_staff_permission(info, StaffPermission.MANAGE_ORDERS)
        page = paginate(
            selectors.order_list_for_staff(status=_status_argument(status)),
            prefix="order",
            first=first,
            after=after,
        )
        return OrderConnection.from_page(page)

import graphene

from market.graphql.payments.types import Payment
from market.orders import selectors as order_selectors
from market.payments import selectors


class PaymentsQueries(graphene.ObjectType):
    """Inherited by the root Query type."""

    order_payments = graphene.List(
        graphene.NonNull(Payment),
        required=True,
        token=graphene.UUID(required=True),
        description="The payments of the order holding this secret token, newest first; "
        "empty when the token is unknown.",
    )

    def resolve_order_payments(self, info, token):
        order = order_selectors.order_get_by_token(token=token)
        return [] if order is None else selectors.payments_for_order(order=order)

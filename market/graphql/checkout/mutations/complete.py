"""Completing a checkout: it becomes an order (one part per seller)."""

import graphene

from market.checkout.completion import checkout_complete
from market.graphql.checkout.types import CheckoutError
from market.graphql.core.auth import current_user
from market.graphql.core.mutations import BaseMutation
from market.graphql.core.selection import selects_only
from market.graphql.orders.types import Order
from market.orders.selectors import order_get_with_details

# The order's own columns: shown from the order the service returns, without loading its parts,
# lines, events and payments again (the storefront asks only the token).
ORDER_OWN_FIELDS = {"id", "token", "number", "email", "currency"}


class CheckoutComplete(BaseMutation):
    """Turn a checkout into an order. Send a fresh idempotency key per attempt to buy and
    repeat it on retries: the same key answers with the same order."""

    order = graphene.Field(Order)

    class Arguments:
        token = graphene.UUID(required=True)
        idempotency_key = graphene.String(required=True)

    class Meta:
        error_type = CheckoutError

    @classmethod
    def perform(cls, root, info, token, idempotency_key):
        order = checkout_complete(
            token=token, idempotency_key=idempotency_key, user=current_user(info)
        )
        if selects_only(info, "order", ORDER_OWN_FIELDS):
            return {"order": order}
        return {"order": order_get_with_details(order_id=order.pk)}


class CheckoutCompleteMutations(graphene.ObjectType):
    """Inherited by the root Mutation type."""

    checkout_complete = CheckoutComplete.Field()

"""A buyer's checkout: the cart (``checkout.py``), its delivery and incoterm (``delivery.py``)
and its completion into an order (``complete.py``).

Three groups, not one: the root Mutation type lists each where its fields have always stood in
``graphql/schema.graphql``.
"""

from market.graphql.checkout.mutations.checkout import CheckoutMutations
from market.graphql.checkout.mutations.complete import CheckoutCompleteMutations
from market.graphql.checkout.mutations.delivery import CheckoutDeliveryMutations

__all__ = ["CheckoutCompleteMutations", "CheckoutDeliveryMutations", "CheckoutMutations"]

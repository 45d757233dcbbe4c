"""Orders after placement: moving orders and parts (``orders.py``) and a seller's fulfilment
of their part (``fulfilment.py``)."""

from market.graphql.orders.mutations.fulfilment import FulfilmentMutations
from market.graphql.orders.mutations.orders import OrdersMutations

__all__ = ["FulfilmentMutations", "OrdersMutations"]

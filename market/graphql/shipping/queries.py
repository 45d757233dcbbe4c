import graphene

from market.graphql.shipping.types import ShippingZone
from market.shipping.selectors import shipping_zones_active


class ShippingQueries(graphene.ObjectType):
    """Inherited by the root Query type."""

    shipping_zones = graphene.List(
        graphene.NonNull(ShippingZone),
        required=True,
        description="Where we deliver, how, and at what price.",
    )

    def resolve_shipping_zones(self, info):
        return shipping_zones_active()

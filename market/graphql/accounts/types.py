import graphene
from graphene import relay

from market.accounts.selectors import user_staff_permissions
from market.sellers.selectors import seller_get_for_user


class User(graphene.ObjectType):
    """The signed-in person's own account (never anyone else's: not a Relay node)."""

    id = graphene.ID(required=True)
    email = graphene.String(required=True)
    first_name = graphene.String(required=True)
    last_name = graphene.String(required=True)
    is_email_verified = graphene.Boolean(required=True)
    is_staff = graphene.Boolean(required=True)
    permissions = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="The staff permissions held, e.g. `sellers.manage_sellers`.",
    )
    # A lazy reference: the sellers area owns and extends this type.
    seller = graphene.Field(
        "market.graphql.sellers.types.SellerProfile",
        description="The shop this person runs, in any state; null if none.",
    )

    orders = graphene.Field(
        "market.graphql.orders.types.OrderConnection",
        required=True,
        first=graphene.Int(),
        after=graphene.String(),
        description="Orders this person placed, newest first.",
    )

    addresses = graphene.List(
        graphene.NonNull("market.graphql.core.types.Address"),
        required=True,
        description="Addresses this person's orders went or were billed to, most recently "
        "used first, each once (at most 10).",
    )

    def resolve_id(self, info):
        return relay.Node.to_global_id("User", self.pk)

    def resolve_orders(self, info, first=None, after=None):
        from market.graphql.orders.queries import orders_page_for_user

        return orders_page_for_user(self, first=first, after=after)

    def resolve_addresses(self, info):
        from market.graphql.core.types import Address
        from market.orders.selectors import addresses_for_user

        return [Address.from_dict(address) for address in addresses_for_user(user=self)]

    def resolve_permissions(self, info):
        return user_staff_permissions(user=self)

    def resolve_seller(self, info):
        return seller_get_for_user(user=self)

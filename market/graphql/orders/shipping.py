import graphene


class ShippingMutations(graphene.ObjectType):
    """Inherited by the root Mutation type."""


class ShippingQueries(graphene.ObjectType):
    """Inherited by the root Query type."""

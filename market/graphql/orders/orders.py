import graphene


class OrdersMutations(graphene.ObjectType):
    """Inherited by the root Mutation type."""


class OrdersQueries(graphene.ObjectType):
    """Inherited by the root Query type."""

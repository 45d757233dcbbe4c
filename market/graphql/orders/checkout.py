import graphene


class CheckoutMutations(graphene.ObjectType):
    """Inherited by the root Mutation type."""


class CheckoutQueries(graphene.ObjectType):
    """Inherited by the root Query type."""

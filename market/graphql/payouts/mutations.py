import graphene


class PayoutsMutations(graphene.ObjectType):
    """Mutations of this area; the root Mutation type inherits them."""

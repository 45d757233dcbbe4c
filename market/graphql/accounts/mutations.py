import graphene


class AccountsMutations(graphene.ObjectType):
    """Mutations of this area; the root Mutation type inherits them."""

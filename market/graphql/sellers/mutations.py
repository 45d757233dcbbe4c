import graphene


class SellersMutations(graphene.ObjectType):
    """Mutations of this area; the root Mutation type inherits them."""

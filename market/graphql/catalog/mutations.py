import graphene


class CatalogMutations(graphene.ObjectType):
    """Mutations of this area; the root Mutation type inherits them."""

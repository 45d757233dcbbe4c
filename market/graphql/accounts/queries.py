import graphene


class AccountsQueries(graphene.ObjectType):
    """Queries about the signed-in user (``me``)."""

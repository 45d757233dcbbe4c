import graphene

from market.graphql.accounts.types import User
from market.graphql.core.auth import current_user, require_user


class AccountsQueries(graphene.ObjectType):
    """Queries about the signed-in user (``me``)."""

    me = graphene.Field(User, description="The signed-in user; null when not signed in.")

    def resolve_me(self, info):
        user = current_user(info)
        if user is None and getattr(info.context, "auth_error", None) is None:
            return None
        # A bearer token was sent but refused: say why instead of answering as anonymous.
        return require_user(info)

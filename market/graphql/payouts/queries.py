import graphene


class PayoutsQueries(graphene.ObjectType):
    """Queries about payout accounts."""

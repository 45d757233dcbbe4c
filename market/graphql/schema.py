import graphene

from market.graphql.catalog.queries import CatalogQueries, NodeQueries
from market.graphql.core.queries import CoreQueries
from market.graphql.sellers.queries import SellerQueries


class Query(CatalogQueries, SellerQueries, CoreQueries, NodeQueries, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query)

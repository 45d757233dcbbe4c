import graphene

from market.graphql.accounts.mutations import AccountsMutations
from market.graphql.accounts.queries import AccountsQueries
from market.graphql.catalog.mutations import CatalogMutations, ProductImportMutations
from market.graphql.catalog.queries import CatalogQueries, NodeQueries, ProductImportQueries
from market.graphql.core.queries import CoreQueries
from market.graphql.orders.checkout import CheckoutMutations, CheckoutQueries
from market.graphql.orders.fulfilment import FulfilmentMutations
from market.graphql.orders.orders import OrdersMutations, OrdersQueries
from market.graphql.orders.shipping import ShippingMutations, ShippingQueries
from market.graphql.payments.mutations import PaymentsMutations, RefundsMutations
from market.graphql.payments.queries import PaymentsQueries
from market.graphql.payouts.mutations import PayoutsMutations
from market.graphql.payouts.queries import PayoutsQueries
from market.graphql.sellers.mutations import SellersMutations
from market.graphql.sellers.queries import SellerQueries


class Query(
    CatalogQueries,
    SellerQueries,
    AccountsQueries,
    PayoutsQueries,
    CoreQueries,
    NodeQueries,
    ProductImportQueries,
    CheckoutQueries,
    ShippingQueries,
    OrdersQueries,
    PaymentsQueries,
    graphene.ObjectType,
):
    pass


class Mutation(
    AccountsMutations,
    SellersMutations,
    PayoutsMutations,
    CatalogMutations,
    ProductImportMutations,
    CheckoutMutations,
    ShippingMutations,
    OrdersMutations,
    FulfilmentMutations,
    PaymentsMutations,
    RefundsMutations,
    graphene.ObjectType,
):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation if Mutation._meta.fields else None)

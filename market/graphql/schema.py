import graphene

from market.graphql.accounts.mutations import AccountsMutations
from market.graphql.accounts.queries import AccountsQueries
from market.graphql.catalog.mutations import CatalogMutations, ProductImportMutations
from market.graphql.catalog.queries import CatalogQueries, NodeQueries, ProductImportQueries
from market.graphql.checkout.mutations import (
    CheckoutCompleteMutations,
    CheckoutDeliveryMutations,
    CheckoutMutations,
)
from market.graphql.checkout.queries import CheckoutQueries
from market.graphql.core.queries import CoreQueries
from market.graphql.orders.mutations import FulfilmentMutations, OrdersMutations
from market.graphql.orders.queries import OrdersQueries
from market.graphql.payments.mutations import PaymentsMutations, RefundsMutations
from market.graphql.payments.queries import PaymentsQueries
from market.graphql.payouts.mutations import PayoutsMutations
from market.graphql.payouts.queries import PayoutsQueries
from market.graphql.privacy.mutations import PrivacyMutations
from market.graphql.sellers.mutations import SellersMutations
from market.graphql.sellers.queries import SellerQueries
from market.graphql.shipping.queries import ShippingQueries

# The root types inherit each area's fields; graphene lists them from the last base to the
# first, and that order is the order of graphql/schema.graphql (the published contract): a new
# area goes first, and an area moved between packages keeps its place.


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
    PrivacyMutations,
    AccountsMutations,
    SellersMutations,
    PayoutsMutations,
    CatalogMutations,
    ProductImportMutations,
    CheckoutMutations,
    CheckoutDeliveryMutations,
    OrdersMutations,
    CheckoutCompleteMutations,
    FulfilmentMutations,
    PaymentsMutations,
    RefundsMutations,
    graphene.ObjectType,
):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation if Mutation._meta.fields else None)

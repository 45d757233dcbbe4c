import graphene

from market.graphql.core.pagination import paginate
from market.graphql.core.types import CountableConnection
from market.graphql.sellers.types import Seller
from market.sellers import selectors


class SellerConnection(CountableConnection):
    class Meta:
        node = Seller


class SellerQueries(graphene.ObjectType):
    sellers = graphene.Field(graphene.NonNull(SellerConnection), first=graphene.Int(),
                             after=graphene.String(), last=graphene.Int(),
                             before=graphene.String())
    seller = graphene.Field(Seller, slug=graphene.String(required=True))

    def resolve_sellers(self, info, first=None, after=None, last=None, before=None):
        page = paginate(selectors.seller_list_public(), prefix="seller", first=first,
                        after=after, last=last, before=before)
        return SellerConnection.from_page(page)

    def resolve_seller(self, info, slug):
        return selectors.seller_get_public(slug=slug)

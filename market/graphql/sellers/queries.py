import graphene
from graphql_relay import from_global_id

from market.core.permissions import StaffPermission
from market.graphql.core.auth import require_staff_permission
from market.graphql.core.pagination import paginate
from market.graphql.core.types import CountableConnection
from market.graphql.sellers.types import Seller, SellerProfile
from market.sellers import selectors


class SellerConnection(CountableConnection):
    class Meta:
        node = Seller


class SellerApplicationConnection(CountableConnection):
    class Meta:
        node = SellerProfile


def _seller_pk(global_id: str) -> int | None:
    try:
        type_name, raw = from_global_id(global_id)
        return int(raw) if type_name == "Seller" else None
    except Exception:
        return None


class SellerQueries(graphene.ObjectType):
    sellers = graphene.Field(
        graphene.NonNull(SellerConnection),
        first=graphene.Int(),
        after=graphene.String(),
        last=graphene.Int(),
        before=graphene.String(),
    )
    seller = graphene.Field(Seller, slug=graphene.String(required=True))
    seller_applications = graphene.Field(
        graphene.NonNull(SellerApplicationConnection),
        status=graphene.String(description="draft, submitted, approved, rejected or suspended."),
        first=graphene.Int(),
        after=graphene.String(),
        last=graphene.Int(),
        before=graphene.String(),
        description="Staff (sellers.manage_sellers): sellers in any state, oldest submission "
        "first.",
    )
    seller_application = graphene.Field(
        SellerProfile,
        id=graphene.ID(required=True),
        description="Staff (sellers.manage_sellers): one seller's application and history.",
    )

    def resolve_sellers(self, info, first=None, after=None, last=None, before=None):
        page = paginate(
            selectors.seller_list_public(),
            prefix="seller",
            first=first,
            after=after,
            last=last,
            before=before,
        )
        return SellerConnection.from_page(page)

    def resolve_seller(self, info, slug):
        return selectors.seller_get_public(slug=slug)

    def resolve_seller_applications(
        self, info, status=None, first=None, after=None, last=None, before=None
    ):
        require_staff_permission(info, StaffPermission.MANAGE_SELLERS)
        page = paginate(
            selectors.seller_application_list(status=status),
            prefix="seller-application",
            first=first,
            after=after,
            last=last,
            before=before,
        )
        return SellerApplicationConnection.from_page(page)

    def resolve_seller_application(self, info, id):
        require_staff_permission(info, StaffPermission.MANAGE_SELLERS)
        pk = _seller_pk(id)
        return None if pk is None else selectors.seller_get_for_staff(seller_id=pk)

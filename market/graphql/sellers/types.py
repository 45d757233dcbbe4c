import graphene
from graphene import relay
from graphene_django import DjangoObjectType

from market.core.permissions import StaffPermission
from market.graphql.core.auth import current_user, staff_may
from market.graphql.core.types import Country
from market.sellers import selectors
from market.sellers.models import Discipline as DisciplineChoices
from market.sellers.models import Seller as SellerModel

Discipline = graphene.Enum.from_enum(DisciplineChoices, name="Discipline")


class Seller(DjangoObjectType):
    """A resident maker's shop."""

    discipline = graphene.Field(Discipline, required=True)
    country = graphene.Field(Country, required=True)
    is_resident = graphene.Boolean(
        required=True, description="A member of the centre's resident programme."
    )

    class Meta:
        model = SellerModel
        interfaces = (relay.Node,)
        fields = ["id", "name", "slug", "bio", "city", "discipline", "country", "is_resident"]
        convert_choices_to_enum = False

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(pk__in=selectors.seller_list_public().values("pk"))

    def resolve_discipline(self, info):
        return self.discipline

    def resolve_country(self, info):
        return Country.from_field(self.country)


class SellerDocument(graphene.ObjectType):
    """A document attached to an application; the file itself is seen only by staff."""

    id = graphene.ID(required=True)
    kind = graphene.String(
        required=True, description="residency_certificate, portfolio, identity or other."
    )
    original_name = graphene.String(required=True)
    content_type = graphene.String(required=True, description="Detected from the content.")
    size_bytes = graphene.Int(required=True)
    uploaded_at = graphene.DateTime(required=True)

    def resolve_id(self, info):
        return relay.Node.to_global_id("SellerDocument", self.pk)


class SellerEvent(graphene.ObjectType):
    """One entry of a seller's history."""

    kind = graphene.String(required=True)
    from_status = graphene.String(description="Null when the status did not change.")
    to_status = graphene.String(description="Null when the status did not change.")
    note = graphene.String(required=True, description="E.g. the reason for a rejection.")
    created_at = graphene.DateTime(required=True)
    actor_email = graphene.String(
        description="Who did it. Staff members' addresses are shown to staff only."
    )

    def resolve_from_status(self, info):
        return self.from_status or None

    def resolve_to_status(self, info):
        return self.to_status or None

    def resolve_actor_email(self, info):
        actor = self.actor
        if actor is None:
            return None
        viewer = current_user(info)
        if actor.pk == self.seller.user_id or (staff_may(viewer, StaffPermission.MANAGE_SELLERS)):
            return actor.email
        return None


class SellerProfile(graphene.ObjectType):
    """A seller's application and shop as its owner and staff see it (never public)."""

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    slug = graphene.String(required=True)
    status = graphene.String(
        required=True, description="draft, submitted, approved, rejected or suspended."
    )
    bio = graphene.String(required=True)
    discipline = graphene.Field(Discipline, required=True)
    resident_programme = graphene.String(required=True)
    membership_number = graphene.String(required=True)
    city = graphene.String(required=True)
    country = graphene.Field(Country, required=True)
    contact_email = graphene.String(required=True)
    contact_phone = graphene.String(required=True)
    is_resident = graphene.Boolean(required=True)
    rejection_reason = graphene.String(description="Why staff last rejected the application.")
    submitted_at = graphene.DateTime()
    decided_at = graphene.DateTime(description="When staff last approved or rejected it.")
    created_at = graphene.DateTime(required=True)
    documents = graphene.NonNull(graphene.List(graphene.NonNull(SellerDocument)))
    events = graphene.NonNull(
        graphene.List(graphene.NonNull(SellerEvent)), description="The history, oldest first."
    )
    payout_status = graphene.Field(
        "market.graphql.payouts.types.PayoutStatus",
        required=True,
        description="How this seller gets paid: what is ready and what is still missing.",
    )

    def resolve_payout_status(self, info):
        from market.payouts.selectors import payout_status_get

        return payout_status_get(seller=self)

    def resolve_id(self, info):
        return relay.Node.to_global_id("Seller", self.pk)

    def resolve_rejection_reason(self, info):
        return self.rejection_reason or None

    def resolve_country(self, info):
        return Country.from_field(self.country)

    def resolve_documents(self, info):
        return self.documents.all()

    def resolve_events(self, info):
        prefetched = getattr(self, "_prefetched_objects_cache", {})
        events = list(
            prefetched["events"] if "events" in prefetched else self.events.select_related("actor")
        )
        for event in events:
            event.seller = self  # spares a query per event when checking the actor
        return events

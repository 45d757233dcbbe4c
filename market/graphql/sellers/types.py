import graphene
from graphene import relay
from graphene_django import DjangoObjectType

from market.graphql.core.types import Country
from market.sellers import selectors
from market.sellers.models import Discipline as DisciplineChoices
from market.sellers.models import Seller as SellerModel

Discipline = graphene.Enum.from_enum(DisciplineChoices, name="Discipline")


class Seller(DjangoObjectType):
    """A resident maker's shop."""

    discipline = graphene.Field(Discipline, required=True)
    country = graphene.Field(Country, required=True)
    is_resident = graphene.Boolean(required=True,
                                   description="A member of the centre's resident programme.")

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


class SellerProfile(graphene.ObjectType):
    """The signed-in seller's own view of their shop and application (never public)."""

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    slug = graphene.String(required=True)
    status = graphene.String(required=True)

    def resolve_id(self, info):
        return relay.Node.to_global_id("Seller", self.pk)

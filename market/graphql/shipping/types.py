"""The delivery tables as the API shows them: zones, their methods and weight bands (public, so
buyers can see where we ship), and the incoterms."""

import graphene
from django_countries.fields import Country as CountryValue
from graphene import relay

from market.core.selectors import price_converter_get
from market.graphql.core.types import Country, Money
from market.shipping.models import Incoterm as IncotermChoices

Incoterm = graphene.Enum.from_enum(IncotermChoices, name="Incoterm")


class ShippingRateBand(graphene.ObjectType):
    max_weight_grams = graphene.Int(required=True, description="Parcels up to this weight.")
    price = graphene.Field(Money, required=True, description="In the base currency.")

    def resolve_price(self, info):
        return Money.convert(self.price_amount, price_converter_get(currency=None))


class ShippingMethod(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    carrier = graphene.String(required=True)
    transit_days_min = graphene.Int(required=True)
    transit_days_max = graphene.Int(required=True)
    rates = graphene.List(
        graphene.NonNull(ShippingRateBand),
        required=True,
        description="Weight bands, lightest first.",
    )

    def resolve_id(self, info):
        return relay.Node.to_global_id("ShippingMethod", self.pk)

    def resolve_rates(self, info):
        return sorted(self.rates.all(), key=lambda rate: rate.max_weight_grams)


class ShippingZone(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    countries = graphene.List(graphene.NonNull(Country), required=True)
    methods = graphene.List(
        graphene.NonNull(ShippingMethod), required=True, description="Active methods only."
    )

    def resolve_id(self, info):
        return relay.Node.to_global_id("ShippingZone", self.pk)

    def resolve_countries(self, info):
        return [Country.from_field(CountryValue(code=code)) for code in self.countries or ()]

    def resolve_methods(self, info):
        return [method for method in self.methods.all() if method.is_active]

"""The delivery tables as the API shows them: zones, their methods and weight bands (public, so
buyers can see where we ship), and the incoterms."""

import graphene
from django_countries.fields import Country as CountryValue
from graphene import relay

from market.core.selectors import price_converter_get
from market.graphql.core.types import BoundToConverter, Country, Money, converted_money
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


class DeliveryOption(graphene.ObjectType):
    """A way one seller's parcel can travel, priced for this checkout."""

    shipping_method = graphene.Field(ShippingMethod, required=True)
    price = graphene.Field(Money, required=True)
    processing_days = graphene.Int(required=True, description="The maker's slowest item.")
    transit_days_min = graphene.Int(required=True)
    transit_days_max = graphene.Int(required=True)
    delivery_days_min = graphene.Int(required=True, description="Processing plus transit.")
    delivery_days_max = graphene.Int(required=True)

    def resolve_shipping_method(self, info):
        return self.method

    def resolve_price(self, info):
        return converted_money(self.price, self._converter)


class DeliveryEstimate(graphene.ObjectType):
    """How one item, sent alone, would reach a country, before it is in a cart: by the same
    rules as a checkout's quote (methods whose weight bands carry it, DAP/DDP where offered,
    duties on a parcel of it). A checkout with more items from the same maker ships them as one
    parcel, so its figures may differ."""

    country = graphene.Field(Country, required=True)
    is_served = graphene.Boolean(
        required=True, description="Some method reaches the country with this item."
    )
    is_domestic = graphene.Boolean(required=True, description="No export: VAT, no duties.")
    options = graphene.List(
        graphene.NonNull(DeliveryOption),
        required=True,
        description="Empty where we do not deliver, or the item is not exported there.",
    )
    incoterms_offered = graphene.List(graphene.NonNull(Incoterm), required=True)
    duties = graphene.Field(
        Money,
        description="Import duties on the item: collected at checkout under DDP, payable on "
        "arrival under DAP; zero at home; null where the destination's duties are not known.",
    )

    def resolve_country(self, info):
        return Country.from_field(CountryValue(code=self.country))

    def resolve_is_served(self, info):
        return bool(self.options)

    def resolve_is_domestic(self, info):
        return self.domestic

    def resolve_options(self, info):
        return [BoundToConverter(option, self._converter) for option in self.options]

    def resolve_duties(self, info):
        return None if self.duties is None else converted_money(self.duties, self._converter)

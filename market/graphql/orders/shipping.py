"""Where we deliver, how each seller's parcel travels, and what the checkout costs.

Anyone holding a checkout's token may choose its delivery and incoterm (the token is the
guest's key); the delivery tables themselves are public, so buyers can see where we ship.
"""

import graphene
from graphene import relay

from market.core.money import Money as MoneyValue
from market.core.selectors import price_converter_get
from market.graphql.core.ids import pk_or_refused
from market.graphql.core.mutations import BaseMutation, error_type
from market.graphql.core.types import ConvertedPrice, Country, CurrencyConversion, Money
from market.graphql.sellers.types import Seller
from market.orders import delivery, pricing
from market.orders.checkout_selectors import checkout_get_active
from market.orders.error_codes import CheckoutErrorCode
from market.orders.models import Incoterm as IncotermChoices

Incoterm = graphene.Enum.from_enum(IncotermChoices, name="Incoterm")
CheckoutError = error_type("CheckoutError", CheckoutErrorCode)


def _money(amount, converter) -> ConvertedPrice:
    """An amount already in the converter's (the checkout's) currency."""
    return ConvertedPrice(MoneyValue(amount, converter.currency), converter)


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
        from django_countries.fields import Country as CountryValue

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
        return _money(self.price, self._converter)


class CheckoutQuoteLine(graphene.ObjectType):
    variant_id = graphene.ID(required=True)
    sku = graphene.String(required=True)
    product_name = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    unit_price = graphene.Field(Money, required=True)
    total = graphene.Field(Money, required=True)

    def resolve_variant_id(self, info):
        return relay.Node.to_global_id("ProductVariant", self.variant.pk)

    def resolve_sku(self, info):
        return self.variant.sku

    def resolve_product_name(self, info):
        return self.product.name

    def resolve_unit_price(self, info):
        return _money(self.unit_price, self._converter)

    def resolve_total(self, info):
        return _money(self.total, self._converter)


class _Figures:
    """Resolvers of a quote's (or part's) Decimal figures as Money of the checkout currency."""

    def resolve_subtotal(self, info):
        return _money(self.subtotal, self._converter)

    def resolve_shipping(self, info):
        return _money(self.shipping, self._converter)

    def resolve_vat(self, info):
        return _money(self.vat, self._converter)

    def resolve_duties(self, info):
        return _money(self.duties, self._converter)

    def resolve_duties_estimate(self, info):
        return _money(self.duties_estimate, self._converter)

    def resolve_total(self, info):
        return _money(self.total, self._converter)


_VAT_HELP = "VAT included in the prices (delivery within Azerbaijan); not added to the total."
_DUTIES_HELP = "Import duties collected now (DDP); part of the total."
_ESTIMATE_HELP = "Import duties payable on arrival (DAP); not part of the total."
_TOTAL_HELP = "subtotal + shipping + duties."


class CheckoutQuotePart(_Figures, graphene.ObjectType):
    """One seller's parcel: their items, how it travels and what it costs."""

    seller = graphene.Field(Seller, required=True)
    lines = graphene.List(graphene.NonNull(CheckoutQuoteLine), required=True)
    shipping_method = graphene.Field(
        ShippingMethod, description="Null until the buyer chooses one."
    )
    weight_grams = graphene.Int(
        required=True,
        description=f"Items without a weight count as {delivery.DEFAULT_WEIGHT_GRAMS} g each.",
    )
    subtotal = graphene.Field(Money, required=True)
    shipping = graphene.Field(Money, required=True)
    vat = graphene.Field(Money, required=True, description=_VAT_HELP)
    duties = graphene.Field(Money, required=True, description=_DUTIES_HELP)
    duties_estimate = graphene.Field(Money, required=True, description=_ESTIMATE_HELP)
    total = graphene.Field(Money, required=True, description=_TOTAL_HELP)
    delivery_days_min = graphene.Int(
        required=True,
        description="Processing plus the chosen transit (processing only until chosen).",
    )
    delivery_days_max = graphene.Int(required=True)
    delivery_options = graphene.List(graphene.NonNull(DeliveryOption), required=True)

    def resolve_lines(self, info):
        return [_Bound(line, self._converter) for line in self.lines]

    def resolve_delivery_options(self, info):
        return [_Bound(option, self._converter) for option in self.delivery_options]


class CheckoutQuote(_Figures, graphene.ObjectType):
    """What the checkout costs, per seller and in total, in the buyer's currency."""

    currency = graphene.String(required=True)
    conversion = graphene.Field(
        CurrencyConversion, required=True, description="The rate used (locked once paying starts)."
    )
    parts = graphene.List(graphene.NonNull(CheckoutQuotePart), required=True)
    subtotal = graphene.Field(Money, required=True)
    shipping = graphene.Field(Money, required=True)
    vat = graphene.Field(Money, required=True, description=_VAT_HELP)
    duties = graphene.Field(Money, required=True, description=_DUTIES_HELP)
    duties_estimate = graphene.Field(Money, required=True, description=_ESTIMATE_HELP)
    total = graphene.Field(Money, required=True, description=_TOTAL_HELP)
    incoterm = graphene.Field(
        Incoterm,
        description="Null for deliveries within Azerbaijan or before the destination is known.",
    )
    incoterms_offered = graphene.List(graphene.NonNull(Incoterm), required=True)
    domestic = graphene.Boolean(required=True)

    def resolve_conversion(self, info):
        return CurrencyConversion.from_converter(self._converter)

    def resolve_parts(self, info):
        return [_Bound(part, self._converter) for part in self.parts]

    def resolve_incoterm(self, info):
        return self.incoterm or None


class _Bound:
    """A pricing dataclass with the converter its Money fields need."""

    def __init__(self, value, converter):
        self._value = value
        self._converter = converter

    def __getattr__(self, name):
        return getattr(self._value, name)


def quote_for_api(quote: pricing.CheckoutQuote) -> _Bound:
    """The root object of a ``CheckoutQuote`` field (the checkout engineer's type may use it)."""
    return _Bound(quote, quote.converter)


def _payload(checkout, quote) -> dict:
    return {"checkout": checkout, "quote": quote_for_api(quote)}


class CheckoutDeliveryMethodUpdate(BaseMutation):
    """Choose how one seller's parcel travels (one of its quote part's `deliveryOptions`)."""

    class Arguments:
        token = graphene.UUID(required=True)
        seller_id = graphene.ID(required=True)
        shipping_method_id = graphene.ID(required=True)

    checkout = graphene.Field("market.graphql.orders.checkout.Checkout")
    quote = graphene.Field(CheckoutQuote)

    class Meta:
        error_type = CheckoutError

    @classmethod
    def perform(cls, root, info, token, seller_id, shipping_method_id):
        checkout = checkout_get_active(token=token)
        seller_pk = pk_or_refused(
            seller_id,
            "Seller",
            code=CheckoutErrorCode.NOT_FOUND,
            message="This checkout has no items from that seller.",
            field="sellerId",
        )
        method_pk = pk_or_refused(
            shipping_method_id,
            "ShippingMethod",
            code=CheckoutErrorCode.INVALID_DELIVERY_METHOD,
            message="That is not a shipping method id.",
            field="shippingMethodId",
        )
        return _payload(
            *pricing.checkout_delivery_method_choose(
                checkout=checkout, seller_id=seller_pk, method_id=method_pk
            )
        )


class CheckoutIncotermUpdate(BaseMutation):
    """Choose who pays an export's import duties: DAP (on arrival) or DDP (now), as offered."""

    class Arguments:
        token = graphene.UUID(required=True)
        incoterm = Incoterm(required=True)

    checkout = graphene.Field("market.graphql.orders.checkout.Checkout")
    quote = graphene.Field(CheckoutQuote)

    class Meta:
        error_type = CheckoutError

    @classmethod
    def perform(cls, root, info, token, incoterm):
        checkout = checkout_get_active(token=token)
        return _payload(
            *pricing.checkout_incoterm_choose(
                checkout=checkout, incoterm=getattr(incoterm, "value", incoterm)
            )
        )


class ShippingMutations(graphene.ObjectType):
    """Inherited by the root Mutation type."""

    checkout_delivery_method_update = CheckoutDeliveryMethodUpdate.Field()
    checkout_incoterm_update = CheckoutIncotermUpdate.Field()


class ShippingQueries(graphene.ObjectType):
    """Inherited by the root Query type."""

    shipping_zones = graphene.List(
        graphene.NonNull(ShippingZone),
        required=True,
        description="Where we deliver, how, and at what price.",
    )
    checkout_quote = graphene.Field(
        CheckoutQuote,
        token=graphene.UUID(required=True),
        required=True,
        description="Items, shipping, VAT and duties per seller and in total; each part's "
        "`deliveryOptions` lists the methods its parcel may go by.",
    )

    def resolve_shipping_zones(self, info):
        return delivery.shipping_zones_active()

    def resolve_checkout_quote(self, info, token):
        return quote_for_api(pricing.checkout_quote(checkout=checkout_get_active(token=token)))

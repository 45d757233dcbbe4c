"""The checkout as the API shows it: a cart held by its token, its lines, and its quote (what
it costs per seller and in total, and how each seller's parcel may travel)."""

import graphene
from django_countries import countries
from graphene import relay
from graphql_relay import to_global_id

from market.checkout import pricing
from market.checkout.error_codes import CheckoutErrorCode
from market.checkout.pricing import checkout_quote
from market.checkout.selectors import checkout_line_problem
from market.graphql.catalog.types import Product, ProductVariant
from market.graphql.core.mutations import error_type
from market.graphql.core.types import (
    Address,
    BoundToConverter,
    Country,
    CurrencyConversion,
    Money,
    converted_money,
)
from market.graphql.sellers.types import Seller
from market.graphql.shipping.types import DeliveryOption, Incoterm, ShippingMethod
from market.shipping.selectors import DEFAULT_WEIGHT_GRAMS

CheckoutError = error_type("CheckoutError", CheckoutErrorCode)


class AddressInput(graphene.InputObjectType):
    """A postal address; the postal code is checked for the countries that use one format."""

    name = graphene.String(required=True, description="The recipient's full name.")
    company_name = graphene.String()
    street_address_1 = graphene.String(required=True)
    street_address_2 = graphene.String()
    city = graphene.String(required=True)
    postal_code = graphene.String(description="Required where the country has a known format.")
    country_area = graphene.String()
    country = graphene.String(required=True, description="ISO 3166-1 alpha-2, e.g. AZ.")
    phone = graphene.String()


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
        return converted_money(self.unit_price, self._converter)

    def resolve_total(self, info):
        return converted_money(self.total, self._converter)


class _Figures:
    """Resolvers of a quote's (or part's) Decimal figures as Money of the checkout currency."""

    def resolve_subtotal(self, info):
        return converted_money(self.subtotal, self._converter)

    def resolve_shipping(self, info):
        return converted_money(self.shipping, self._converter)

    def resolve_vat(self, info):
        return converted_money(self.vat, self._converter)

    def resolve_duties(self, info):
        return converted_money(self.duties, self._converter)

    def resolve_duties_estimate(self, info):
        return converted_money(self.duties_estimate, self._converter)

    def resolve_total(self, info):
        return converted_money(self.total, self._converter)


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
        description=f"Items without a weight count as {DEFAULT_WEIGHT_GRAMS} g each.",
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
        return [BoundToConverter(line, self._converter) for line in self.lines]

    def resolve_delivery_options(self, info):
        return [BoundToConverter(option, self._converter) for option in self.delivery_options]


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
        return [BoundToConverter(part, self._converter) for part in self.parts]

    def resolve_incoterm(self, info):
        return self.incoterm or None


def quote_for_api(quote: pricing.CheckoutQuote) -> BoundToConverter:
    """The root object of a ``CheckoutQuote`` field."""
    return BoundToConverter(quote, quote.converter)


class AddressFormat(graphene.ObjectType):
    """What an address in one country needs, as the address checks apply it."""

    country = graphene.Field(Country, required=True)
    postal_code_used = graphene.Boolean(
        required=True, description="False where there are no postal codes (any given is dropped)."
    )
    postal_code_required = graphene.Boolean(
        required=True, description="The code is required and checked against the format."
    )
    postal_code_example = graphene.String(
        required=True, description="A code in the checked format, e.g. `10115`; empty if none."
    )

    def resolve_country(self, info):
        return Country(code=self.country, name=str(countries.name(self.country)))


CheckoutErrorCodeEnum = CheckoutError._meta.fields["code"].type.of_type


class CheckoutLineProblem(graphene.ObjectType):
    """Why a line cannot be bought as it stands; completing the checkout would be refused
    with this code until the buyer changes or removes the line."""

    code = graphene.Field(CheckoutErrorCodeEnum, required=True)
    message = graphene.String(required=True)
    quantity_available = graphene.Int(required=True, description="Units the line may hold now.")


class CheckoutLine(graphene.ObjectType):
    id = graphene.ID(required=True)
    variant = graphene.Field(ProductVariant, required=True)
    product = graphene.Field(Product, required=True)
    product_name = graphene.String(required=True)
    variant_name = graphene.String(required=True)
    seller_name = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    quantity_available = graphene.Int(
        required=True, description="Units this checkout may hold: stock not reserved by others."
    )
    reserved_until = graphene.DateTime(
        description="When this line's reservation lapses; null when it holds nothing now."
    )
    problem = graphene.Field(
        CheckoutLineProblem,
        description="Null when the line can be bought: else out of stock (another buyer took "
        "it meanwhile), fewer left than asked for, or no longer for sale.",
    )

    def resolve_id(self, info):
        return to_global_id("CheckoutLine", self.pk)

    def resolve_product(self, info):
        return self.variant.product

    def resolve_product_name(self, info):
        return self.variant.product.name

    def resolve_variant_name(self, info):
        return self.variant.name

    def resolve_seller_name(self, info):
        return self.variant.product.seller.name

    def resolve_quantity_available(self, info):
        return max(0, self.variant.stock_quantity - self.reserved_by_others)

    def resolve_problem(self, info):
        return checkout_line_problem(self)


class Checkout(graphene.ObjectType):
    token = graphene.UUID(required=True, description="The secret that lets its holder use it.")
    email = graphene.String(required=True)
    currency = graphene.String(required=True)
    expires_at = graphene.DateTime(required=True)
    is_guest = graphene.Boolean(required=True)
    shipping_address = graphene.Field(Address)
    billing_address = graphene.Field(Address)
    lines = graphene.List(graphene.NonNull(CheckoutLine), required=True)
    quote = graphene.Field(
        CheckoutQuote,
        required=True,
        description="Items, shipping, taxes and duties per seller and in "
        "total, in the checkout's currency.",
    )

    def resolve_quote(self, info):
        return quote_for_api(checkout_quote(checkout=self))

    def resolve_is_guest(self, info):
        return self.user_id is None

    def resolve_shipping_address(self, info):
        return Address.from_dict(self.shipping_address)

    def resolve_billing_address(self, info):
        return Address.from_dict(self.billing_address)

    def resolve_lines(self, info):
        return self.lines.all()


class CheckoutLineInput(graphene.InputObjectType):
    variant_id = graphene.ID(required=True)
    quantity = graphene.Int(required=True)


class CheckoutCreateInput(graphene.InputObjectType):
    email = graphene.String()
    currency = graphene.String(description="Default: the base currency.")
    lines = graphene.List(graphene.NonNull(CheckoutLineInput))
    shipping_address = AddressInput()
    billing_address = AddressInput()

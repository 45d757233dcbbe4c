"""The checkout API: a guest or a signed-in buyer builds a cart held by its token.

The token is the secret (as in Saleor): whoever holds it may read and change the checkout, so
no mutation here asks who is signed in except to record the buyer on ``checkoutCreate``.
"""

from typing import Any

import graphene
from django.conf import settings
from django_countries import countries
from graphql_relay import to_global_id

from market.core.errors import DomainError
from market.graphql.catalog.types import Product, ProductVariant
from market.graphql.core.auth import current_user
from market.graphql.core.ids import pk_from_global_id
from market.graphql.core.mutations import BaseMutation, error_type
from market.graphql.core.types import Country
from market.orders import checkout as services
from market.orders.addresses import address_format
from market.orders.checkout_selectors import (
    checkout_get_active,
    checkout_get_for_display,
    checkout_line_problem,
)
from market.orders.error_codes import CheckoutErrorCode

CheckoutError = error_type("CheckoutError", CheckoutErrorCode)


class Address(graphene.ObjectType):
    name = graphene.String(required=True)
    company_name = graphene.String(required=True)
    street_address_1 = graphene.String(required=True)
    street_address_2 = graphene.String(required=True)
    city = graphene.String(required=True)
    postal_code = graphene.String(required=True)
    country_area = graphene.String(required=True)
    country = graphene.Field(Country, required=True)
    phone = graphene.String(required=True)

    @staticmethod
    def from_dict(address: dict):
        if not address:
            return None
        code = address.get("country", "")
        fields = {
            key: address.get(key, "")
            for key in (
                "name",
                "company_name",
                "street_address_1",
                "street_address_2",
                "city",
                "postal_code",
                "country_area",
                "phone",
            )
        }
        return Address(country=Country(code=code, name=str(countries.name(code))), **fields)


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
        "market.graphql.orders.shipping.CheckoutQuote",
        required=True,
        description="Items, shipping, taxes and duties per seller and in "
        "total, in the checkout's currency.",
    )

    def resolve_quote(self, info):
        # Imported here: the pricing API's module imports this area's selectors.
        from market.graphql.orders.shipping import quote_for_api
        from market.orders.pricing import checkout_quote

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


def _lines(lines) -> list[dict]:
    if lines is not None and len(lines) > settings.CHECKOUT_MAX_LINES:
        raise DomainError(
            CheckoutErrorCode.TOO_MANY_LINES,
            f"At most {settings.CHECKOUT_MAX_LINES} lines.",
            field="lines",
        )
    return [
        {
            "variant_id": pk_from_global_id(line.variant_id, "ProductVariant"),
            "quantity": line.quantity,
        }
        for line in lines or []
    ]


def _address(address) -> dict | None:
    return None if address is None else {key: value for key, value in dict(address).items()}


class CheckoutMutation(BaseMutation):
    checkout = graphene.Field(Checkout)

    class Meta:
        abstract = True

    @classmethod
    def perform(cls, root, info, token, **arguments):
        checkout = cls.change(checkout_get_active(token=token), **arguments)
        return {"checkout": checkout_get_for_display(token=checkout.token)}

    @classmethod
    def change(cls, *args: Any, **arguments: Any) -> Any:
        # ``(*args: Any, **arguments: Any)`` lets each subclass name its own arguments.
        raise NotImplementedError


class CheckoutCreate(BaseMutation):
    """Open a checkout; signed in, it records the buyer, else keep the token to come back."""

    checkout = graphene.Field(Checkout)

    class Arguments:
        input = CheckoutCreateInput(required=True)

    class Meta:
        error_type = CheckoutError

    @classmethod
    def perform(cls, root, info, input):
        checkout = services.checkout_create(
            user=current_user(info),
            currency=input.get("currency"),
            email=input.get("email") or "",
            lines=_lines(input.get("lines")),
            shipping_address=_address(input.get("shipping_address")),
            billing_address=_address(input.get("billing_address")),
        )
        return {"checkout": checkout_get_for_display(token=checkout.token)}


class CheckoutLinesAdd(CheckoutMutation):
    """Add units to the checkout, reserving them for a while."""

    class Arguments:
        token = graphene.UUID(required=True)
        lines = graphene.List(graphene.NonNull(CheckoutLineInput), required=True)

    class Meta:
        error_type = CheckoutError

    @classmethod
    def change(cls, checkout, lines):
        return services.checkout_lines_add(checkout=checkout, lines=_lines(lines))


class CheckoutLineUpdate(CheckoutMutation):
    """Set a line's quantity (0 removes it)."""

    class Arguments:
        token = graphene.UUID(required=True)
        variant_id = graphene.ID(required=True)
        quantity = graphene.Int(required=True)

    class Meta:
        error_type = CheckoutError

    @classmethod
    def change(cls, checkout, variant_id, quantity):
        return services.checkout_line_update(
            checkout=checkout,
            variant_id=pk_from_global_id(variant_id, "ProductVariant"),
            quantity=quantity,
        )


class CheckoutLineDelete(CheckoutMutation):
    class Arguments:
        token = graphene.UUID(required=True)
        variant_id = graphene.ID(required=True)

    class Meta:
        error_type = CheckoutError

    @classmethod
    def change(cls, checkout, variant_id):
        return services.checkout_line_delete(
            checkout=checkout, variant_id=pk_from_global_id(variant_id, "ProductVariant")
        )


class CheckoutEmailUpdate(CheckoutMutation):
    class Arguments:
        token = graphene.UUID(required=True)
        email = graphene.String(required=True)

    class Meta:
        error_type = CheckoutError

    @classmethod
    def change(cls, checkout, email):
        return services.checkout_email_update(checkout=checkout, email=email)


class CheckoutShippingAddressUpdate(CheckoutMutation):
    class Arguments:
        token = graphene.UUID(required=True)
        address = AddressInput(required=True)

    class Meta:
        error_type = CheckoutError

    @classmethod
    def change(cls, checkout, address):
        return services.checkout_shipping_address_update(
            checkout=checkout, address=_address(address)
        )


class CheckoutBillingAddressUpdate(CheckoutMutation):
    class Arguments:
        token = graphene.UUID(required=True)
        address = AddressInput(required=True)

    class Meta:
        error_type = CheckoutError

    @classmethod
    def change(cls, checkout, address):
        return services.checkout_billing_address_update(
            checkout=checkout, address=_address(address)
        )


class CheckoutCurrencyUpdate(CheckoutMutation):
    class Arguments:
        token = graphene.UUID(required=True)
        currency = graphene.String(required=True)

    class Meta:
        error_type = CheckoutError

    @classmethod
    def change(cls, checkout, currency):
        return services.checkout_currency_update(checkout=checkout, currency=currency)


class CheckoutMutations(graphene.ObjectType):
    """Inherited by the root Mutation type."""

    checkout_create = CheckoutCreate.Field()
    checkout_lines_add = CheckoutLinesAdd.Field()
    checkout_line_update = CheckoutLineUpdate.Field()
    checkout_line_delete = CheckoutLineDelete.Field()
    checkout_email_update = CheckoutEmailUpdate.Field()
    checkout_shipping_address_update = CheckoutShippingAddressUpdate.Field()
    checkout_billing_address_update = CheckoutBillingAddressUpdate.Field()
    checkout_currency_update = CheckoutCurrencyUpdate.Field()


class CheckoutQueries(graphene.ObjectType):
    """Inherited by the root Query type."""

    checkout = graphene.Field(
        Checkout,
        token=graphene.UUID(required=True),
        description="A checkout by its token: null when unknown; an `expired` or "
        "`already_completed` error when it can no longer be used.",
    )

    address_format = graphene.Field(
        AddressFormat,
        country=graphene.String(required=True),
        description="What a postal address in this country needs (ISO 3166-1 alpha-2); null "
        "for a code that is not a country.",
    )

    def resolve_address_format(self, info, country):
        return address_format(country=country)

    def resolve_checkout(self, info, token):
        try:
            return checkout_get_for_display(token=token)
        except DomainError as error:
            if error.code == CheckoutErrorCode.NOT_FOUND:
                return None
            raise

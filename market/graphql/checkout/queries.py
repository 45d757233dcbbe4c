import graphene

from market.checkout.addresses import address_format
from market.checkout.error_codes import CheckoutErrorCode
from market.checkout.pricing import checkout_quote
from market.checkout.selectors import checkout_get_active, checkout_get_for_display
from market.core.errors import DomainError
from market.graphql.checkout.types import AddressFormat, Checkout, CheckoutQuote, quote_for_api


class CheckoutQueries(graphene.ObjectType):
    """Inherited by the root Query type."""

    checkout_quote = graphene.Field(
        CheckoutQuote,
        token=graphene.UUID(required=True),
        required=True,
        description="Items, shipping, VAT and duties per seller and in total; each part's "
        "`deliveryOptions` lists the methods its parcel may go by.",
    )
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

    def resolve_checkout_quote(self, info, token):
        return quote_for_api(checkout_quote(checkout=checkout_get_active(token=token)))

    def resolve_checkout(self, info, token):
        try:
            return checkout_get_for_display(token=token)
        except DomainError as error:
            if error.code == CheckoutErrorCode.NOT_FOUND:
                return None
            raise

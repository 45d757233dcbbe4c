"""How each seller's parcel travels and who pays an export's duties.

Anyone holding a checkout's token may choose its delivery and incoterm (the token is the
guest's key).
"""

import graphene

from market.checkout.error_codes import CheckoutErrorCode
from market.checkout.pricing import checkout_delivery_method_choose, checkout_incoterm_choose
from market.checkout.selectors import checkout_get_active
from market.graphql.checkout.types import Checkout, CheckoutError, CheckoutQuote, quote_for_api
from market.graphql.core.ids import pk_or_refused
from market.graphql.core.mutations import BaseMutation
from market.graphql.core.selection import selected_fields
from market.graphql.shipping.types import Incoterm


def _payload(checkout, quote) -> dict:
    return {"checkout": checkout, "quote": quote_for_api(quote)}


class CheckoutDeliveryMethodUpdate(BaseMutation):
    """Choose how one seller's parcel travels (one of its quote part's `deliveryOptions`)."""

    class Arguments:
        token = graphene.UUID(required=True)
        seller_id = graphene.ID(required=True)
        shipping_method_id = graphene.ID(required=True)

    checkout = graphene.Field(Checkout)
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
            *checkout_delivery_method_choose(
                checkout=checkout,
                seller_id=seller_pk,
                method_id=method_pk,
                # The storefront asks only for errors: the checkout's lines and stock are not
                # loaded again to be shown.
                shown=bool(selected_fields(info, "checkout")),
            )
        )


class CheckoutIncotermUpdate(BaseMutation):
    """Choose who pays an export's import duties: DAP (on arrival) or DDP (now), as offered."""

    class Arguments:
        token = graphene.UUID(required=True)
        incoterm = Incoterm(required=True)

    checkout = graphene.Field(Checkout)
    quote = graphene.Field(CheckoutQuote)

    class Meta:
        error_type = CheckoutError

    @classmethod
    def perform(cls, root, info, token, incoterm):
        checkout = checkout_get_active(token=token)
        return _payload(
            *checkout_incoterm_choose(
                checkout=checkout, incoterm=getattr(incoterm, "value", incoterm)
            )
        )


class CheckoutDeliveryMutations(graphene.ObjectType):
    """Inherited by the root Mutation type."""

    checkout_delivery_method_update = CheckoutDeliveryMethodUpdate.Field()
    checkout_incoterm_update = CheckoutIncotermUpdate.Field()

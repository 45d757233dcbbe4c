"""The cart itself: a guest or a signed-in buyer builds a checkout held by its token.

The token is the secret (as in Saleor): whoever holds it may read and change the checkout, so
no mutation here asks who is signed in except to record the buyer on ``checkoutCreate``.
"""

from typing import Any

import graphene
from django.conf import settings

from market.checkout import services
from market.checkout.error_codes import CheckoutErrorCode
from market.checkout.selectors import checkout_get_active, checkout_get_for_display
from market.core.errors import DomainError
from market.graphql.checkout.types import (
    AddressInput,
    Checkout,
    CheckoutCreateInput,
    CheckoutError,
    CheckoutLineInput,
)
from market.graphql.core.auth import current_user
from market.graphql.core.ids import pk_from_global_id
from market.graphql.core.mutations import BaseMutation
from market.graphql.core.selection import selects_only


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
        if selects_only(info, "checkout", {"token"}):
            # Only the key to come back with: no need to load the lines and their stock again.
            return {"checkout": checkout}
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

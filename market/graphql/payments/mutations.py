"""Paying an order: a guest by the order's token (the token is the key), a signed-in buyer
their own order by id. Someone else's order or payment answers like a missing one.

Refunding a seller's part of an order: staff holding orders.manage_orders any time, the
part's seller before it ships. Another seller's part answers like a missing one."""

import graphene

from market.core.errors import DomainError
from market.graphql.core.auth import require_user
from market.graphql.core.ids import pk_from_global_id
from market.graphql.core.mutations import BaseMutation, error_type
from market.graphql.orders.mutations.orders import part_for_seller_or_manager
from market.graphql.payments.types import Payment, Refund
from market.orders import selectors as order_selectors
from market.payments import refunds, selectors, services
from market.payments.error_codes import PaymentErrorCode

PaymentError = error_type("PaymentError", PaymentErrorCode)
MAX_ARGUMENT = 255


def order_for_payer(info, *, order_token=None, order_id=None):
    """The order named by its token (anyone holding it) or by id (its signed-in buyer)."""
    if (order_token is None) == (order_id is None):
        raise DomainError(
            PaymentErrorCode.INVALID, "Give either 'orderToken' or 'orderId'.", field="orderToken"
        )
    if order_token is not None:
        # The payment services lock the order and read what they need: its row is enough.
        return order_selectors.order_get_by_token_or_404(
            token=order_token, field="orderToken", with_details=False
        )
    user = require_user(info)
    return order_selectors.order_get_for_buyer(
        user=user, order_id=pk_from_global_id(order_id, "Order"), field="orderId"
    )


def _short(value: str | None, field: str) -> str | None:
    if value is not None and len(value) > MAX_ARGUMENT:
        raise DomainError(
            PaymentErrorCode.INVALID,
            f"'{field}' may be at most {MAX_ARGUMENT} characters.",
            field=field,
        )
    return value


class OrderPaymentCreate(BaseMutation):
    """Start paying an unpaid order (its whole total, in its currency). Send a fresh
    idempotency key per attempt and repeat it on retries: the same key answers with the same
    payment. With the dummy gateway `card` is a test card number (4242424242424242 succeeds,
    4000000000000002 is declined, 4000002500003155 needs 3-D Secure); with Stripe, confirm in
    the browser with `clientSecret` (or pass a PaymentMethod id as `card`). When the payment
    provider does not answer, the error is `GATEWAY_UNAVAILABLE` and the payment stays open:
    repeat the request (same key) and it asks the provider for the same payment, never a
    second charge."""

    payment = graphene.Field(Payment)

    class Arguments:
        order_token = graphene.UUID(description="A guest names the order by its token.")
        order_id = graphene.ID(description="A signed-in buyer names their own order.")
        gateway = graphene.String(description="Default: the marketplace's gateway.")
        card = graphene.String()
        idempotency_key = graphene.String(required=True)

    class Meta:
        error_type = PaymentError

    @classmethod
    def perform(
        cls, root, info, idempotency_key, order_token=None, order_id=None, gateway=None, card=None
    ):
        order = order_for_payer(info, order_token=order_token, order_id=order_id)
        payment = services.payment_create(
            order=order,
            gateway=_short(gateway, "gateway"),
            card=_short(card, "card"),
            idempotency_key=idempotency_key,
        )
        return {"payment": payment}


class OrderPaymentConfirm(BaseMutation):
    """After the buyer's 3-D Secure step: settle a payment awaiting action (dummy gateway:
    `authenticated` says whether the buyer passed; Stripe: its outcome is read from Stripe)."""

    payment = graphene.Field(Payment)

    class Arguments:
        payment_id = graphene.ID(required=True)
        order_token = graphene.UUID()
        order_id = graphene.ID()
        authenticated = graphene.Boolean(default_value=True)

    class Meta:
        error_type = PaymentError

    @classmethod
    def perform(cls, root, info, payment_id, order_token=None, order_id=None, authenticated=True):
        order = order_for_payer(info, order_token=order_token, order_id=order_id)
        payment = selectors.payment_get_for_order(
            order=order, payment_id=pk_from_global_id(payment_id, "Payment")
        )
        return {
            "payment": services.payment_confirm(payment=payment, authenticated=bool(authenticated))
        }


class PaymentsMutations(graphene.ObjectType):
    """Inherited by the root Mutation type."""

    order_payment_create = OrderPaymentCreate.Field()
    order_payment_confirm = OrderPaymentConfirm.Field()


class OrderPartRefund(BaseMutation):
    """Refund the buyer for one seller's part (default: all that is left of it). Send a fresh
    idempotency key per refund and repeat it on retries: the same key answers with the same
    refund, never a second one."""

    refund = graphene.Field(Refund)

    class Arguments:
        part_id = graphene.ID(required=True)
        amount = graphene.Decimal(
            description="In the order's currency; default: all that is left to refund of the part."
        )
        reason = graphene.String(required=True)
        idempotency_key = graphene.String(required=True)

    class Meta:
        error_type = PaymentError

    @classmethod
    def perform(cls, root, info, part_id, reason, idempotency_key, amount=None):
        access = part_for_seller_or_manager(
            info, pk_from_global_id(part_id, "OrderPart"), field="partId"
        )
        refund = refunds.refund_create(
            part=access.part,
            amount=amount,
            reason=reason,
            idempotency_key=idempotency_key,
            actor=access.user,
            by_order_manager=access.by_order_manager,
        )
        return {"refund": refund}


class RefundsMutations(graphene.ObjectType):
    """Inherited by the root Mutation type."""

    order_part_refund = OrderPartRefund.Field()

import graphene
from graphql_relay import to_global_id

from market.core.money import Money as MoneyValue
from market.core.money import quantize
from market.graphql.core.types import ConvertedPrice, Money
from market.orders.selectors import order_price_converter
from market.payments.models import PaymentGatewayName
from market.payments.models import PaymentStatus as PaymentStatusChoices
from market.payments.models import RefundStatus as RefundStatusChoices

PaymentStatus = graphene.Enum.from_enum(PaymentStatusChoices, name="PaymentStatus")
PaymentGateway = graphene.Enum.from_enum(PaymentGatewayName, name="PaymentGateway")
RefundStatus = graphene.Enum.from_enum(RefundStatusChoices, name="RefundStatus")


class Payment(graphene.ObjectType):
    """A buyer's attempt to pay an order, in the order's currency."""

    id = graphene.ID(required=True)
    gateway = graphene.Field(PaymentGateway, required=True)
    status = graphene.Field(PaymentStatus, required=True)
    amount = graphene.Field(Money, required=True, description="The order's total.")
    client_secret = graphene.String(
        description="Stripe: give it to Stripe.js to confirm the payment in the browser."
    )
    next_action = graphene.JSONString(
        description="While `status` is REQUIRES_ACTION: what the buyer must do (3-D Secure)."
    )
    decline_code = graphene.String(description="Why the payment failed, e.g. `card_declined`.")
    failure_message = graphene.String()
    created_at = graphene.DateTime(required=True)

    def resolve_id(self, info):
        return to_global_id("Payment", self.pk)

    def resolve_amount(self, info):
        return ConvertedPrice(
            MoneyValue(quantize(self.amount, self.currency), self.currency),
            order_price_converter(order=self.order),
        )

    def resolve_client_secret(self, info):
        return self.client_secret or None

    def resolve_decline_code(self, info):
        return self.decline_code or None

    def resolve_failure_message(self, info):
        return self.failure_message or None


class Refund(graphene.ObjectType):
    """Money given back to the buyer for one seller's part, in the order's currency."""

    id = graphene.ID(required=True)
    status = graphene.Field(RefundStatus, required=True)
    amount = graphene.Field(Money, required=True)
    reason = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)

    def resolve_id(self, info):
        return to_global_id("Refund", self.pk)

    def resolve_amount(self, info):
        return ConvertedPrice(
            MoneyValue(quantize(self.amount, self.currency), self.currency),
            order_price_converter(order=self.order_part.order),
        )

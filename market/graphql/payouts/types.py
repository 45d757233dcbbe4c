import graphene
from graphql_relay import to_global_id

from market.core.money import Money as MoneyValue
from market.core.selectors import price_converter_get
from market.graphql.core.types import ConvertedPrice, CountableConnection, Money
from market.graphql.sellers.types import Seller
from market.orders.selectors import order_price_converter
from market.payouts.models import PayoutRouteName
from market.payouts.models import PayoutState as PayoutStateChoices
from market.payouts.selectors import payout_failure_reason

PayoutRoute = graphene.Enum.from_enum(
    PayoutRouteName, name="PayoutRoute", description="How a seller is paid."
)
PayoutState = graphene.Enum.from_enum(
    PayoutStateChoices,
    name="PayoutState",
    description="Where a payout is: pending → processing → paid, or failed.",
)


def _in_base(amount) -> ConvertedPrice:
    """An amount of the base currency (AZN), as the ledger and payouts keep it."""
    converter = price_converter_get(currency=None)
    return ConvertedPrice(MoneyValue(amount, converter.currency), converter)


class PayoutBankAccount(graphene.ObjectType):
    """The bank account a bank-route seller is paid to; the IBAN is never shown in full."""

    account_holder = graphene.String(required=True)
    iban_last4 = graphene.String(required=True, description="The IBAN's last four characters.")
    bic = graphene.String(required=True)
    bank_name = graphene.String(required=True)
    currency = graphene.String(required=True, description="ISO 4217 code paid out in.")
    verified = graphene.Boolean(required=True, description="Staff have verified the details.")


class PayoutStatus(graphene.ObjectType):
    """Whether a seller can be paid yet, and what is still missing."""

    route = graphene.Field(
        PayoutRoute, required=True, description="Chosen by the seller's country."
    )
    is_ready = graphene.Boolean(required=True)
    missing = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="What still has to happen, in words.",
    )
    charges_enabled = graphene.Boolean(
        required=True, description="Stripe Connect: the connected account may take charges."
    )
    payouts_enabled = graphene.Boolean(
        required=True,
        description="Stripe Connect: Stripe pays out to the seller. Bank "
        "transfer: the verified bank account can be paid.",
    )
    requirements_due = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Stripe Connect: Stripe's currently and past due requirement codes.",
    )
    disabled_reason = graphene.String(
        description="Stripe Connect: why Stripe disabled the account, if it did."
    )
    bank_account = graphene.Field(PayoutBankAccount)

    def resolve_route(self, info):
        return self.route

    def resolve_disabled_reason(self, info):
        return self.disabled_reason or None


class Payout(graphene.ObjectType):
    """What the platform pays a seller for one order part, once."""

    id = graphene.ID(required=True)
    status = graphene.Field(PayoutState, required=True)
    amount = graphene.Field(
        Money, required=True, description="What the seller is paid, in the base currency."
    )
    route = graphene.Field(PayoutRoute, required=True)
    seller = graphene.Field(Seller, required=True)
    order_number = graphene.String(required=True)
    order_part_id = graphene.ID(
        required=True, description="The order part it pays for (`OrderPart` id)."
    )
    transfer = graphene.Field(
        Money,
        description="Stripe Connect, once paid: what the transfer carried, in the "
        "order's currency at the order's rate. Null otherwise.",
    )
    created_at = graphene.DateTime(required=True)
    paid_at = graphene.DateTime()
    last_error = graphene.String(description="Why it failed, in words; null unless FAILED.")
    bank_batch_date = graphene.Date(
        description="Bank transfer: the date of the bank file it is in; null until then."
    )

    def resolve_id(self, info):
        return to_global_id("Payout", self.pk)

    def resolve_amount(self, info):
        return _in_base(self.amount)

    def resolve_order_number(self, info):
        return self.order_part.order.number

    def resolve_order_part_id(self, info):
        return to_global_id("OrderPart", self.order_part_id)

    def resolve_transfer(self, info):
        order = self.order_part.order
        if (
            self.route != PayoutRouteName.STRIPE_CONNECT
            or self.transfer_amount is None
            or self.transfer_currency != order.currency
        ):
            return None
        return ConvertedPrice(
            MoneyValue(self.transfer_amount, self.transfer_currency),
            order_price_converter(order=order),
        )

    def resolve_last_error(self, info):
        return payout_failure_reason(payout=self)

    def resolve_bank_batch_date(self, info):
        return self.bank_batch.date if self.bank_batch_id else None


class PayoutConnection(CountableConnection):
    class Meta:
        node = Payout


class SellerBalance(graphene.ObjectType):
    """What the platform owes the seller now, from the ledger, in the base currency; the four
    parts add up to `balance`."""

    balance = graphene.Field(
        Money, required=True, description="Negative when the seller owes the platform."
    )
    held = graphene.Field(
        Money,
        required=True,
        description="Owed for parts not delivered yet, or delivered less than `holdDays` ago.",
    )
    pending_payout = graphene.Field(
        Money,
        required=True,
        description="Owed for parts whose hold period ended (or that staff released), not paid "
        "yet: being paid, or waiting for the next daily payout run (and for the "
        "payout route to be ready).",
    )
    failed_payout = graphene.Field(
        Money, required=True, description="Owed for parts whose payout failed."
    )
    adjustments = graphene.Field(
        Money,
        required=True,
        description="The rest, negative when the seller owes: a refund after a part was paid "
        "out by bank transfer, netted from the next payouts.",
    )
    hold_days = graphene.Int(
        required=True, description="Days after delivery before a part is paid out."
    )

    def resolve_balance(self, info):
        return _in_base(self.balance)

    def resolve_held(self, info):
        return _in_base(self.held)

    def resolve_pending_payout(self, info):
        return _in_base(self.pending_payout)

    def resolve_failed_payout(self, info):
        return _in_base(self.failed_payout)

    def resolve_adjustments(self, info):
        return _in_base(self.adjustments)

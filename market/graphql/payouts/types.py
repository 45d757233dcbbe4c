import graphene

from market.payouts.models import PayoutRouteName

PayoutRoute = graphene.Enum.from_enum(PayoutRouteName, name="PayoutRoute",
                                      description="How a seller is paid.")


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

    route = graphene.Field(PayoutRoute, required=True,
                           description="Chosen by the seller's country.")
    is_ready = graphene.Boolean(required=True)
    missing = graphene.List(graphene.NonNull(graphene.String), required=True,
                            description="What still has to happen, in words.")
    charges_enabled = graphene.Boolean(
        required=True, description="Stripe Connect: the connected account may take charges.")
    payouts_enabled = graphene.Boolean(
        required=True, description="Stripe Connect: Stripe pays out to the seller. Bank "
                                   "transfer: the verified bank account can be paid.")
    requirements_due = graphene.List(
        graphene.NonNull(graphene.String), required=True,
        description="Stripe Connect: Stripe's currently and past due requirement codes.")
    disabled_reason = graphene.String(
        description="Stripe Connect: why Stripe disabled the account, if it did.")
    bank_account = graphene.Field(PayoutBankAccount)

    def resolve_route(self, info):
        return self.route

    def resolve_disabled_reason(self, info):
        return self.disabled_reason or None

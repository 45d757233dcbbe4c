"""Stripe payments whose PaymentIntents live in localstripe."""

from market.orders.models import Order
from market.payments.gateways import to_minor_units
from market.payments.models import Payment
from market.payments.stripe_client import stripe_client
from tests.factories import PaymentFactory

CARD_VISA = "pm_card_visa"
# localstripe declines a charge only for this card (its 4000000000000002 is charged).
CARD_DECLINED = "pm_card_chargeCustomerFail"


def stripe_payment_waiting(order: Order, *, payment_method: str = CARD_VISA) -> Payment:
    """A pending Stripe payment of ``order`` and its PaymentIntent in localstripe, waiting for
    the buyer's confirmation.

    ``StripeGateway.start`` cannot create it: localstripe refuses its ``transfer_group`` and
    ``description``. So the PaymentIntent is made here with the SDK and the gateway's other
    parameters, and the payment is recorded as the gateway would record it.
    """
    amount_minor = to_minor_units(order.total_amount, order.currency)
    payment = PaymentFactory(order=order, amount_minor=amount_minor)
    intent = stripe_client().v1.payment_intents.create(
        params={
            "amount": amount_minor,
            "currency": order.currency.lower(),
            "metadata": {"order_number": order.number, "payment_id": str(payment.pk)},
            "payment_method_types": ["card"],
            "payment_method": payment_method,
        }
    )
    Payment.objects.filter(pk=payment.pk).update(
        provider_id=intent.id, client_secret=intent.client_secret
    )
    payment.refresh_from_db()
    return payment


def buyer_confirms(payment: Payment) -> dict:
    """What Stripe.js does in the buyer's browser: confirm the PaymentIntent."""
    return stripe_client().v1.payment_intents.confirm(payment.provider_id).to_dict()

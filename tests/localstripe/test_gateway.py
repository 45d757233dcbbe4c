"""Our Stripe gateway's reads and refunds against localstripe's PaymentIntents."""

from decimal import Decimal

import pytest

from market.orders.models import Order, OrderPart
from market.payments.models import Payment, Refund
from market.payments.services import payment_confirm
from market.payments.stripe_client import stripe_client
from tests.localstripe.helpers import buyer_confirms, stripe_payment_waiting
from tests.payments.helpers import unpaid_order
from tests.payments.refunds.helpers import order_manager, refund_made

pytestmark = pytest.mark.django_db


def paid_part() -> OrderPart:
    """The one part of a 60.00 EUR order paid by a confirmed localstripe PaymentIntent."""
    payment = stripe_payment_waiting(unpaid_order(currency="EUR"))
    buyer_confirms(payment)
    payment_confirm(payment=payment)
    return OrderPart.objects.select_related("order").get(order_id=payment.order_id)


def test_confirming_reads_the_payment_intent_from_localstripe_and_pays_the_order(
    stripe_on_localstripe,
):
    payment = stripe_payment_waiting(unpaid_order(currency="EUR"))
    intent = buyer_confirms(payment)

    confirmed = payment_confirm(payment=payment)

    assert (confirmed.status, confirmed.provider_id) == ("succeeded", intent["id"])
    assert confirmed.stripe_charge_id == intent["latest_charge"]["id"]
    assert Order.objects.get(pk=payment.order_id).status == "paid"


def test_confirming_before_the_buyer_did_leaves_the_payment_pending(stripe_on_localstripe):
    payment = stripe_payment_waiting(unpaid_order(currency="EUR"))

    confirmed = payment_confirm(payment=payment)

    assert (confirmed.status, confirmed.stripe_charge_id) == ("pending", "")
    assert Order.objects.get(pk=payment.order_id).status == "unpaid"


def test_a_partial_refund_is_made_in_localstripe_in_minor_units_with_our_metadata(
    stripe_on_localstripe,
):
    part = paid_part()

    refund = refund_made(
        part=part,
        amount=Decimal("12.34"),
        reason="Arrived broken",
        idempotency_key="r-1",
        actor=order_manager(),
        by_order_manager=True,
    )

    payment = Payment.objects.get(order=part.order)
    [made] = stripe_client().v1.refunds.list(params={"payment_intent": payment.provider_id}).data
    assert (refund.status, refund.provider_id) == ("succeeded", made.id)
    assert (made.amount, made.currency, made.charge) == (1234, "eur", payment.stripe_charge_id)
    assert made.metadata.to_dict() == {"refund_id": str(refund.pk), "order_part_id": str(part.pk)}
    assert OrderPart.objects.get(pk=part.pk).status == "paid"


def test_a_full_refund_through_localstripe_refunds_the_part(stripe_on_localstripe):
    part = paid_part()

    refund = refund_made(
        part=part,
        reason="Never arrived",
        idempotency_key="r-1",
        actor=order_manager(),
        by_order_manager=True,
    )

    [made] = (
        stripe_client().v1.refunds.list(params={"payment_intent": refund.payment.provider_id}).data
    )
    assert (refund.status, refund.amount, made.amount) == ("succeeded", Decimal("60.00"), 6000)
    assert Refund.objects.get().provider_id == made.id
    assert OrderPart.objects.get(pk=part.pk).status == "refunded"

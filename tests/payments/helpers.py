"""Orders to pay, and the GraphQL documents of the payment tests."""

from decimal import Decimal

from market.checkout.completion import checkout_complete
from market.orders.models import Order
from tests.factories import ExchangeRateFactory, key, ready_checkout, seller_with_variant

SUCCEEDS, DECLINES, NEEDS_3DS = "4242424242424242", "4000000000000002", "4000002500003155"

PAYMENT_FIELDS = """payment { id status gateway clientSecret amount { amount currency }
  declineCode failureMessage nextAction }
  errors { field code message }"""

PAYMENT_CREATE = f"""
mutation Pay($orderToken: UUID, $orderId: ID, $gateway: String, $card: String,
             $idempotencyKey: String!) {{
  orderPaymentCreate(orderToken: $orderToken, orderId: $orderId, gateway: $gateway, card: $card,
                     idempotencyKey: $idempotencyKey) {{ {PAYMENT_FIELDS} }} }}"""

PAYMENT_CONFIRM = f"""
mutation Confirm($paymentId: ID!, $orderToken: UUID, $orderId: ID, $authenticated: Boolean) {{
  orderPaymentConfirm(paymentId: $paymentId, orderToken: $orderToken, orderId: $orderId,
                      authenticated: $authenticated) {{ {PAYMENT_FIELDS} }} }}"""

RATES = {"EUR": Decimal("2.0000"), "JPY": Decimal("0.0125")}


def unpaid_order(*, currency: str = "EUR", user=None, price: str = "100.00") -> Order:
    """An order to Germany of one 100 AZN item plus 20 AZN shipping: 60.00 EUR, 9600 JPY,
    120.00 AZN."""
    if currency in RATES:
        ExchangeRateFactory(currency=currency, rate=RATES[currency])
    _, variant = seller_with_variant(price=price)
    checkout = ready_checkout(lines=[(variant, 1)], user=user, currency=currency)
    return checkout_complete(token=checkout.token, idempotency_key=key(), user=user)


def order_status(order: Order) -> str:
    return Order.objects.values_list("status", flat=True).get(pk=order.pk)

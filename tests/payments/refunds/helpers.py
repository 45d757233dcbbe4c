"""Paid orders to refund, and the GraphQL document of the refund tests."""

from decimal import Decimal

from market.ledger.models import LedgerEntry
from market.ledger.selectors import platform_balance, seller_balance
from market.orders.models import Order, OrderPart
from market.payments.models import Refund
from market.payments.refunds import refund_create
from tests.authorization.world import database_snapshot
from tests.factories import StaffFactory
from tests.tasks import worker_inline

MANAGE_ORDERS = "orders.manage_orders"

REFUND = """
mutation Refund($partId: ID!, $amount: Decimal, $reason: String!, $idempotencyKey: String!) {
  orderPartRefund(partId: $partId, amount: $amount, reason: $reason,
                  idempotencyKey: $idempotencyKey) {
    refund { id status amount { amount currency } }
    errors { field code message }
  } }"""


def order_manager():
    """Staff holding orders.manage_orders (the same one on every call)."""
    from django.contrib.auth import get_user_model

    existing = get_user_model().objects.filter(email="refunds-manager@example.com").first()
    return existing or StaffFactory(
        email="refunds-manager@example.com", permissions=[MANAGE_ORDERS]
    )


def refund_asked(part: OrderPart, *, key: str = "r-1", amount: str = "10.00") -> Refund:
    """A refund asked for by staff and not yet sent (its task queued, not run): pending."""
    return refund_create(
        part=part,
        amount=Decimal(amount),
        reason="Arrived broken",
        idempotency_key=key,
        actor=order_manager(),
        by_order_manager=True,
    )


def refund_made(**kwargs) -> Refund:
    """``refund_create(**kwargs)``, then what the workers do once it commits: send it to the
    gateway, and reverse a seller's transfer if it succeeded. The refund as it is then."""
    with worker_inline():
        made = refund_create(**kwargs)
    made.refresh_from_db()
    return made


def balances(part: OrderPart) -> tuple[Decimal, Decimal]:
    return seller_balance(seller=part.seller), platform_balance()


def refund_entries(refund: Refund) -> dict[str, tuple[Decimal, Decimal]]:
    """The refund's ledger entries: account → (base amount, order-currency amount)."""
    return {
        e.account: (e.amount, e.amount_order)
        for e in LedgerEntry.objects.filter(reference=f"refund:{refund.pk}", kind="refund")
    }


def order_status(part: OrderPart) -> tuple[str, str]:
    part = OrderPart.objects.get(pk=part.pk)
    return part.status, Order.objects.values_list("status", flat=True).get(pk=part.order_id)


def everything():
    """Every domain row, the ledger included: to show a refusal changed nothing."""
    return database_snapshot(), list(LedgerEntry.objects.values_list("key", "amount"))

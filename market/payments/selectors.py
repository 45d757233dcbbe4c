"""Reads of payments. A payment is reached only through its order, which the caller's
gatekeeper (``market.orders.selectors``) has already let them see."""

from __future__ import annotations

from django.db.models import QuerySet

from market.core.errors import DomainError
from market.orders.models import Order
from market.payments.error_codes import PaymentErrorCode
from market.payments.models import Payment


def payments_for_order(*, order: Order) -> QuerySet[Payment]:
    """The order's payments, newest first."""
    return (
        Payment.objects.filter(order=order).select_related("order").order_by("-created_at", "-pk")
    )


def payment_get_for_order(
    *, order: Order, payment_id: int | None, field: str = "paymentId"
) -> Payment:
    """One payment of ``order``, or ``not_found`` (another order's payment looks missing)."""
    payment = (
        payments_for_order(order=order).filter(pk=payment_id).first()
        if isinstance(payment_id, int)
        else None
    )
    if payment is None:
        raise DomainError(PaymentErrorCode.NOT_FOUND, "No such payment.", field=field)
    return payment

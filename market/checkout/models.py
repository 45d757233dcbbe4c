"""Checkouts: a buyer's cart on its way to becoming an order, and the stock it holds meanwhile.

Money columns hold ``Decimal`` amounts in the checkout's ``currency``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from market.core.models import RATE
from market.shipping.models import Incoterm, ShippingMethod


class CheckoutStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"


class Checkout(models.Model):
    """A cart on its way to becoming an order; a guest holds it by its token."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checkouts",
    )
    email = models.EmailField(blank=True)
    currency = models.CharField(max_length=3)
    shipping_address = models.JSONField(default=dict, blank=True)
    billing_address = models.JSONField(default=dict, blank=True)
    shipping_country = models.CharField(max_length=2, blank=True)
    incoterm = models.CharField(max_length=3, choices=Incoterm.choices, blank=True)
    # The rate is locked when the buyer starts paying and the order keeps it.
    exchange_rate = models.DecimalField(**RATE, null=True, blank=True)
    exchange_rate_source = models.CharField(max_length=64, blank=True)
    exchange_rate_valid_at = models.DateTimeField(null=True, blank=True)
    rate_locked_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=CheckoutStatus.choices, default=CheckoutStatus.ACTIVE
    )
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "expires_at"], name="checkout_expiry_idx")]

    def __str__(self):
        return str(self.token)


class CheckoutLine(models.Model):
    checkout = models.ForeignKey(Checkout, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.ProductVariant", on_delete=models.CASCADE, related_name="+"
    )
    quantity = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["checkout", "variant"], name="checkout_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="checkout_line_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.variant_id}"


class CheckoutDelivery(models.Model):
    """The delivery method the buyer chose for one seller's items."""

    checkout = models.ForeignKey(Checkout, on_delete=models.CASCADE, related_name="deliveries")
    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    shipping_method = models.ForeignKey(ShippingMethod, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkout", "seller"], name="checkout_delivery_per_seller"
            )
        ]

    def __str__(self):
        return f"{self.seller_id}: {self.shipping_method_id}"


class StockReservation(models.Model):
    """Units held for a checkout until ``expires_at``; others cannot buy them meanwhile."""

    checkout = models.ForeignKey(Checkout, on_delete=models.CASCADE, related_name="reservations")
    variant = models.ForeignKey(
        "catalog.ProductVariant", on_delete=models.CASCADE, related_name="reservations"
    )
    quantity = models.PositiveIntegerField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkout", "variant"], name="stock_reservation_unique"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stock_reservation_positive"),
        ]
        indexes = [
            models.Index(fields=["variant", "expires_at"], name="stock_reservation_active_idx")
        ]

    def __str__(self):
        return f"{self.quantity} × {self.variant_id} until {self.expires_at}"

"""Orders split per seller: what a buyer bought, each seller's part of it, and its history.

Money columns hold ``Decimal`` amounts; the currency is the order's ``currency`` unless the
column says ``_base`` (the marketplace's base currency, AZN).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from market.core.models import MONEY, RATE
from market.core.storage import private_storage
from market.shipping.models import Incoterm


class OrderStatus(models.TextChoices):
    UNPAID = "unpaid", "Unpaid"
    PAID = "paid", "Paid"
    IN_FULFILMENT = "in_fulfilment", "In fulfilment"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


class Order(models.Model):
    """What a buyer bought in one checkout; each seller fulfils their own ``OrderPart``."""

    number = models.CharField(max_length=20, unique=True)
    token = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="Lets a guest look the order up."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    email = models.EmailField()
    checkout_token = models.UUIDField(unique=True)
    idempotency_key = models.CharField(max_length=128, unique=True)
    request_fingerprint = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=OrderStatus.choices, default=OrderStatus.UNPAID
    )
    currency = models.CharField(max_length=3)
    exchange_rate = models.DecimalField(**RATE)
    exchange_rate_source = models.CharField(max_length=64)
    exchange_rate_valid_at = models.DateTimeField(null=True, blank=True)
    shipping_address = models.JSONField(default=dict)
    billing_address = models.JSONField(default=dict)
    shipping_country = models.CharField(max_length=2)
    incoterm = models.CharField(max_length=3, choices=Incoterm.choices, blank=True)
    subtotal_amount = models.DecimalField(**MONEY)
    shipping_amount = models.DecimalField(**MONEY)
    vat_amount = models.DecimalField(**MONEY, help_text="Included in the prices (domestic).")
    duties_amount = models.DecimalField(**MONEY, help_text="Collected at checkout (DDP).")
    duties_estimate_amount = models.DecimalField(**MONEY, help_text="Payable on arrival (DAP).")
    total_amount = models.DecimalField(**MONEY)
    total_base_amount = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("manage_orders", "See and manage every order")]

    def __str__(self):
        return self.number


class OrderPart(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="parts")
    seller = models.ForeignKey(
        "sellers.Seller", on_delete=models.PROTECT, related_name="order_parts"
    )
    status = models.CharField(
        max_length=16, choices=OrderStatus.choices, default=OrderStatus.UNPAID
    )
    shipping_method_name = models.CharField(max_length=120)
    carrier = models.CharField(max_length=80, blank=True)
    processing_days = models.PositiveSmallIntegerField(default=0)
    transit_days_min = models.PositiveSmallIntegerField(default=0)
    transit_days_max = models.PositiveSmallIntegerField(default=0)
    subtotal_amount = models.DecimalField(**MONEY)
    shipping_amount = models.DecimalField(**MONEY)
    vat_amount = models.DecimalField(**MONEY)
    duties_amount = models.DecimalField(**MONEY)
    duties_estimate_amount = models.DecimalField(**MONEY)
    total_amount = models.DecimalField(**MONEY)
    carrier_code = models.CharField(
        max_length=32, blank=True, help_text="The carrier the seller shipped with."
    )
    tracking_number = models.CharField(max_length=64, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(
        null=True, blank=True, help_text="The seller's hold period starts here."
    )

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "seller"], name="order_part_per_seller")
        ]
        indexes = [
            models.Index(fields=["seller", "status"], name="order_part_seller_idx"),
            models.Index(fields=["status", "delivered_at"], name="order_part_delivered_idx"),
        ]

    def __str__(self):
        return f"{self.order_id} / {self.seller_id}"


class OrderLine(models.Model):
    """A snapshot of what was sold: later edits of the listing never change it."""

    part = models.ForeignKey(OrderPart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.ProductVariant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product_name = models.CharField(max_length=200)
    variant_name = models.CharField(max_length=120, blank=True)
    sku = models.CharField(max_length=64)
    seller_name = models.CharField(max_length=120)
    hs_code = models.CharField(max_length=10, blank=True)
    origin_country = models.CharField(max_length=2, blank=True)
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price_base_amount = models.DecimalField(**MONEY)
    unit_price_amount = models.DecimalField(**MONEY)
    total_amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["part", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_positive")
        ]

    def __str__(self):
        return f"{self.quantity} × {self.sku}"


class OrderEvent(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    part = models.ForeignKey(
        OrderPart, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.kind}: {self.from_status} → {self.to_status}"


class CustomsDocumentKind(models.TextChoices):
    CN22 = "CN22", "CN22 customs declaration"
    CN23 = "CN23", "CN23 customs declaration"
    COMMERCIAL_INVOICE = "commercial_invoice", "Commercial invoice"


class CustomsDocument(models.Model):
    """A customs paper (PDF) of a part leaving the country. Kept beside the public media, never
    under it: only the part's seller reaches it."""

    part = models.ForeignKey(OrderPart, on_delete=models.CASCADE, related_name="customs_documents")
    kind = models.CharField(max_length=32, choices=CustomsDocumentKind.choices)
    file = models.FileField(upload_to="customs/%Y/%m/", storage=private_storage, max_length=255)
    size_bytes = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["part", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["part", "kind"], name="customs_document_per_part_kind")
        ]

    def __str__(self):
        return f"{self.part_id}: {self.kind}"

"""Checkout, orders split per seller, and the tables that price delivery abroad.

Money columns hold ``Decimal`` amounts; the currency is the row's ``currency`` (order or
checkout) unless the column says ``_base`` (the marketplace's base currency, AZN).
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from market.core.storage import private_storage

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
RATE: dict[str, Any] = {"max_digits": 20, "decimal_places": 10}


class Incoterm(models.TextChoices):
    DAP = "DAP", "Delivered at place: duties paid by the buyer on arrival"
    DDP = "DDP", "Delivered duty paid: duties collected at checkout"


# --- Delivery tables (staff edit them in the admin) --------------------------------------------


class ShippingZone(models.Model):
    """Destinations served alike; a destination belongs to one active zone."""

    name = models.CharField(max_length=80)
    countries = models.JSONField(default=list, help_text='ISO alpha-2 codes, e.g. ["DE", "FR"].')
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ShippingMethod(models.Model):
    zone = models.ForeignKey(ShippingZone, on_delete=models.CASCADE, related_name="methods")
    name = models.CharField(max_length=80)
    carrier = models.CharField(max_length=80, blank=True)
    transit_days_min = models.PositiveSmallIntegerField(default=1)
    transit_days_max = models.PositiveSmallIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(transit_days_max__gte=models.F("transit_days_min")),
                name="shipping_method_transit_range",
            )
        ]

    def __str__(self):
        return f"{self.zone.name}: {self.name}"


class ShippingRate(models.Model):
    """The price (base currency) of a parcel up to ``max_weight_grams`` by this method."""

    method = models.ForeignKey(ShippingMethod, on_delete=models.CASCADE, related_name="rates")
    max_weight_grams = models.PositiveIntegerField()
    price_amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["method", "max_weight_grams"]
        constraints = [
            models.UniqueConstraint(
                fields=["method", "max_weight_grams"], name="shipping_rate_band_unique"
            ),
            models.CheckConstraint(
                condition=Q(price_amount__gte=0), name="shipping_rate_not_negative"
            ),
        ]

    def __str__(self):
        return f"≤ {self.max_weight_grams} g: {self.price_amount}"


class DutyCountry(models.Model):
    """Import duties of one destination: a de minimis threshold and rates by HS chapter."""

    country = CountryField(unique=True)
    de_minimis_amount = models.DecimalField(**MONEY, help_text="No duty at or below this value.")
    de_minimis_currency = models.CharField(max_length=3)
    default_rate = models.DecimalField(
        max_digits=6, decimal_places=3, help_text="Percent, for chapters without their own rate."
    )
    ddp_available = models.BooleanField(
        default=True, help_text="Buyers may choose DDP (duties collected at checkout)."
    )

    class Meta:
        ordering = ["country"]
        verbose_name_plural = "duty countries"

    def __str__(self):
        return str(self.country.name)


class DutyRate(models.Model):
    duty_country = models.ForeignKey(DutyCountry, on_delete=models.CASCADE, related_name="rates")
    hs_chapter = models.CharField(max_length=2, help_text="First two digits of the HS code.")
    rate = models.DecimalField(max_digits=6, decimal_places=3, help_text="Percent.")

    class Meta:
        ordering = ["duty_country", "hs_chapter"]
        constraints = [
            models.UniqueConstraint(
                fields=["duty_country", "hs_chapter"], name="duty_rate_chapter_unique"
            )
        ]

    # --- Checkout ------------------------------------------------------------------------------

    def __str__(self):
        return f"{self.duty_country_id} ch. {self.hs_chapter}: {self.rate} %"


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

    # --- Orders --------------------------------------------------------------------------------

    def __str__(self):
        return f"{self.quantity} × {self.variant_id} until {self.expires_at}"


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

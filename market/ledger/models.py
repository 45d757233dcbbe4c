"""The ledger: an append-only record of every money movement, per seller and for the platform.

A balance is the sum of its account's entries, never a stored number. ``amount`` is signed and
in the base currency (AZN): positive when the account is owed more, negative when it is paid
out or charged. Entries that come from an order also keep the figure in the order's currency
(``amount_order``), so that each order adds up to the minor unit in both currencies.
"""

from typing import Any

from django.db import models
from django.db.models import Q

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class Account(models.TextChoices):
    SELLER = "seller", "Seller"
    PLATFORM = "platform", "Platform"


class EntryKind(models.TextChoices):
    SALE = "sale", "Sale (the seller's share of the goods)"
    PLATFORM_FEE = "platform_fee", "Platform fee"
    SHIPPING = "shipping", "Shipping"
    DUTIES_COLLECTED = "duties_collected", "Duties collected (DDP)"
    REFUND = "refund", "Refund"
    TRANSFER = "transfer", "Transfer"
    REVERSAL = "reversal", "Reversal"
    PAYOUT = "payout", "Payout"


class LedgerEntry(models.Model):
    """One money movement. Rows are only ever inserted: a correction is a new entry."""

    account = models.CharField(max_length=16, choices=Account.choices)
    seller = models.ForeignKey(
        "sellers.Seller",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    order_part = models.ForeignKey(
        "orders.OrderPart",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    payout = models.ForeignKey(
        "payouts.Payout",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    reference = models.CharField(
        max_length=64,
        blank=True,
        help_text="Where the movement comes from: a payment, a payout, an external id.",
    )
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    amount_order = models.DecimalField(**MONEY, null=True, blank=True)
    currency_order = models.CharField(max_length=3, blank=True)
    # Makes every recording idempotent: the same movement recorded twice is one row.
    key = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(account="seller", seller__isnull=False)
                    | Q(account="platform", seller__isnull=True)
                ),
                name="ledger_entry_seller_iff_seller_account",
            ),
            models.CheckConstraint(
                condition=Q(order_part__isnull=True) | Q(order__isnull=False),
                name="ledger_entry_part_has_order",
            ),
        ]
        indexes = [
            models.Index(fields=["seller", "currency"], name="ledger_seller_idx"),
            models.Index(fields=["account", "currency"], name="ledger_account_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.amount} {self.currency}"


class CategoryCommission(models.Model):
    """The platform's fee for a category and, unless they have their own, its subcategories."""

    category = models.OneToOneField(
        "catalog.Category", on_delete=models.CASCADE, related_name="commission"
    )
    rate = models.DecimalField(max_digits=5, decimal_places=2, help_text="Percent, 0 to 100.")

    class Meta:
        ordering = ["category__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100), name="category_commission_rate_percent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.rate} %"

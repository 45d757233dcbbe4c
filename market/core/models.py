from decimal import Decimal
from typing import Any

from django.db import models

# Column shapes shared by the apps that store amounts: an amount to the minor unit, and an
# exchange rate as precise as the stored rates (the rate a checkout locks and its order keeps).
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
RATE: dict[str, Any] = {"max_digits": 20, "decimal_places": 10}


class ExchangeRate(models.Model):
    """How many units of the base currency one unit of ``currency`` costs, from ``source``.

    Rates are appended, never edited: the newest row per currency is the one in force, and an
    order keeps the exact rate it was priced with.
    """

    base_currency = models.CharField(max_length=3)
    currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=20, decimal_places=10)
    source = models.CharField(max_length=64)
    valid_at = models.DateTimeField(help_text="When the source published this rate.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["currency", "-valid_at"]
        indexes = [models.Index(fields=["currency", "-valid_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate__gt=Decimal(0)), name="exchange_rate_positive"
            ),
            models.UniqueConstraint(
                fields=["base_currency", "currency", "source", "valid_at"],
                name="exchange_rate_unique_per_source_and_time",
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {self.base_currency} ({self.source})"

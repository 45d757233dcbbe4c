import uuid
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

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


class OutboxMessage(models.Model):
    """A task to run, recorded in the transaction of the change that needs it.

    The row commits with the change or not at all, so neither a crash nor a broker outage
    between the commit and the publish can lose the work: ``market.core.tasks`` publishes it at
    once after the commit when it can, and a relay in the worker and beat processes publishes
    what is still unsent. The message's task id is the row's id, so the worker marks the row
    done after the task succeeded and skips a second delivery of it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    # The request id of the work that recorded it, and the task's retry count for a retry.
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField(default=timezone.now, help_text="Not published before.")
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Publish attempts.")
    last_error = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last began the task."
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The relay's question: the oldest due rows not yet published.
            models.Index(
                fields=["available_at"],
                name="outbox_unsent_due",
                condition=models.Q(sent_at__isnull=True),
            ),
            # Housekeeping deletes by age among the published rows.
            models.Index(
                fields=["sent_at"],
                name="outbox_sent",
                condition=models.Q(sent_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} {self.id}"

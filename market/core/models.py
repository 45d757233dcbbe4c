import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from market.core.reference_cache import ReferenceTableQuerySet

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

    objects = ReferenceTableQuerySet.as_manager()

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


class PersonalDataAction(models.TextChoices):
    EXPORT = "export", "Exported the person's data"
    ERASE = "erase", "Erased the person's data"
    VIEW = "view", "Viewed a record"
    CHANGE = "change", "Changed a record"
    DELETE = "delete", "Deleted a record"
    DOWNLOAD = "download", "Downloaded a document"


class PersonalDataAccess(models.Model):
    """The audit log of what was done with people's data: one row per staff look at, change
    of or deletion of a personal record in the admin, and per export or erasure (by staff or by
    the person), written in the transaction of the action itself.

    Append-only: only ``personal_data_access_record`` writes rows, and the admin shows them
    read-only to everyone, superusers included. Rows name people by their account (never
    deleted: erasure anonymises the row) and the record by its label and id, so they hold no
    copy of what they are about.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who acted: a staff member, or the person themself.",
    )
    action = models.CharField(max_length=16, choices=PersonalDataAction.choices)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Whose data: empty for a guest's record (see the record).",
    )
    record = models.CharField(
        max_length=120, blank=True, help_text="The record touched, e.g. 'orders.Order 42'."
    )
    request_id = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True, help_text="Why, as staff gave it, or what changed.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["subject", "-created_at"], name="pdaccess_subject_idx")]
        permissions = [
            (
                "manage_personal_data",
                "Export and erase people's personal data; read the audit log",
            )
        ]
        verbose_name = "personal data access"
        verbose_name_plural = "personal data access log"

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.record} at {self.created_at:%Y-%m-%d %H:%M}"


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

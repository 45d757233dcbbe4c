from django.db import models


class StripeEventStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed"


class StripeEvent(models.Model):
    """A webhook event from Stripe, stored once by its id before it is processed by a worker.

    Stripe delivers an event at least once and in no particular order; the unique ``event_id``
    makes repeats harmless and ``status`` moves only along ``ALLOWED_TRANSITIONS``.
    """

    ALLOWED_TRANSITIONS = {
        StripeEventStatus.RECEIVED: {StripeEventStatus.PROCESSED, StripeEventStatus.IGNORED,
                                     StripeEventStatus.FAILED},
        StripeEventStatus.FAILED: {StripeEventStatus.PROCESSED, StripeEventStatus.IGNORED,
                                   StripeEventStatus.FAILED},
    }

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    account = models.CharField(max_length=255, blank=True,
                               help_text="The connected account the event is about, if any.")
    payload = models.JSONField()
    created = models.DateTimeField(help_text="When Stripe created the event.")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=StripeEventStatus.choices,
                              default=StripeEventStatus.RECEIVED)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "received_at"], name="stripeevent_status_idx")]

    def __str__(self):
        return f"{self.type} {self.event_id}"

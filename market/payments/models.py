from django.conf import settings
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
        StripeEventStatus.RECEIVED: {
            StripeEventStatus.PROCESSED,
            StripeEventStatus.IGNORED,
            StripeEventStatus.FAILED,
        },
        StripeEventStatus.FAILED: {
            StripeEventStatus.PROCESSED,
            StripeEventStatus.IGNORED,
            StripeEventStatus.FAILED,
        },
    }

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    account = models.CharField(
        max_length=255, blank=True, help_text="The connected account the event is about, if any."
    )
    payload = models.JSONField()
    created = models.DateTimeField(help_text="When Stripe created the event.")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=StripeEventStatus.choices, default=StripeEventStatus.RECEIVED
    )
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "received_at"], name="stripeevent_status_idx")]

    def __str__(self):
        return f"{self.type} {self.event_id}"


class PaymentGatewayName(models.TextChoices):
    DUMMY = "dummy", "Dummy (demo: test cards, no money moves)"
    STRIPE = "stripe", "Stripe"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    REQUIRES_ACTION = "requires_action", "Requires action (3-D Secure)"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_PAYMENT_STATUSES = (PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION)


class Payment(models.Model):
    """A buyer's attempt to pay one order, in the order's currency, through one gateway.

    ``amount`` is the order's total when the attempt began (``amount_minor`` is the same figure
    in the currency's minor units, as the gateway charges it). An order has at most one open
    (pending or requires-action) payment; the status moves only along ``ALLOWED_TRANSITIONS``.
    """

    P = PaymentStatus
    ALLOWED_TRANSITIONS = {
        P.PENDING: {P.REQUIRES_ACTION, P.SUCCEEDED, P.FAILED, P.CANCELLED},
        P.REQUIRES_ACTION: {P.PENDING, P.SUCCEEDED, P.FAILED, P.CANCELLED},
        # A Stripe PaymentIntent whose attempt was declined may still succeed with another card:
        # money taken is always recorded.
        P.FAILED: {P.SUCCEEDED},
        P.SUCCEEDED: set(),
        P.CANCELLED: set(),
    }

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=16, choices=PaymentGatewayName.choices)
    status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField(help_text="The amount in the currency's minor units.")
    idempotency_key = models.CharField(max_length=128, unique=True)
    provider_id = models.CharField(
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text="The gateway's id (a Stripe PaymentIntent id).",
    )
    client_secret = models.CharField(max_length=255, blank=True)
    next_action = models.JSONField(
        null=True, blank=True, help_text="What the buyer must do next (3-D Secure)."
    )
    stripe_charge_id = models.CharField(
        max_length=255, blank=True, help_text="The charge of the succeeded PaymentIntent."
    )
    decline_code = models.CharField(max_length=64, blank=True)
    failure_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(status__in=OPEN_PAYMENT_STATUSES),
                name="payment_one_open_per_order",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0) & models.Q(amount_minor__gt=0),
                name="payment_amount_positive",
            ),
        ]

    def __str__(self):
        return f"{self.gateway} {self.amount} {self.currency} ({self.status})"


class PaymentEvent(models.Model):
    """One change of a payment's status, written with the change."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    note = models.TextField(blank=True)
    stripe_event_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.payment_id}: {self.from_status} → {self.to_status}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class RefundSource(models.TextChoices):
    MARKET = "market", "Asked here (staff or the seller)"
    STRIPE = "stripe", "Made in the Stripe dashboard"


class Refund(models.Model):
    """Money given back to the buyer for one seller's part of an order, in the order currency.

    A refund is written ``pending`` with the caller's idempotency key, and a worker asks the
    gateway (``payments.send_refund``) with a key derived from the refund, so that every retry
    is the same request (never twice the money). A worker claims the sending by compare-and-set
    (``sending_since``, ``attempts``), so two runs of the task send it once. Pending and
    succeeded refunds count against what is left to refund of the part.
    The status moves only along ``ALLOWED_TRANSITIONS``, with a ``RefundEvent`` per move.
    A succeeded refund may still fail (the card issuer sends the money back to Stripe, or
    Stripe cancels it): then it becomes ``failed`` and what its success wrote is undone once.
    """

    R = RefundStatus
    ALLOWED_TRANSITIONS = {
        R.PENDING: {R.SUCCEEDED, R.FAILED},
        R.SUCCEEDED: {R.FAILED},
        R.FAILED: set(),
    }

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    order_part = models.ForeignKey(
        "orders.OrderPart", on_delete=models.PROTECT, related_name="refunds"
    )
    status = models.CharField(
        max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    source = models.CharField(
        max_length=16, choices=RefundSource.choices, default=RefundSource.MARKET
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    reason = models.TextField()
    idempotency_key = models.CharField(max_length=160, unique=True)
    provider_id = models.CharField(
        max_length=255, blank=True, help_text="The gateway's refund id (a Stripe re_… id)."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    failure_message = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(
        default=0, help_text="How many times a worker sent it to the gateway."
    )
    sending_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a worker last took it to send to the gateway; a worker gone silent "
        "this long ago (REFUND_SWEEP_AFTER_SECONDS) is taken over.",
    )
    attention = models.TextField(
        blank=True,
        help_text="What staff must still do by hand for this refund (e.g. pay a "
        "seller back a transfer reversal after the refund failed); empty "
        "when nothing.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive"),
            # A Stripe refund split over several parts is one row per part.
            models.UniqueConstraint(
                fields=["provider_id", "order_part"],
                condition=~models.Q(provider_id=""),
                name="refund_provider_id_per_part",
            ),
        ]

    def __str__(self):
        return f"Refund {self.pk}: {self.amount} {self.currency} ({self.status})"


class RefundEvent(models.Model):
    """One change of a refund's status, written with the change."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    note = models.TextField(blank=True)
    stripe_event_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.refund_id}: {self.from_status} → {self.to_status}"

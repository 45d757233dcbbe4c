from django.conf import settings
from django.db import models

from market.core.storage import bank_file_storage


class PayoutRouteName(models.TextChoices):
    STRIPE_CONNECT = "stripe_connect", "Stripe Connect"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"


class PayoutAccount(models.Model):
    """Where a seller's money goes: a Stripe connected account or a bank account.

    Stripe fields mirror the connected account as Stripe last reported it (``account.updated``);
    ``stripe_synced_at`` is the ``created`` time of the event applied last, so an older event
    delivered late never moves the mirror backwards. Bank details count only once staff verified
    them; changing them clears the verification.
    """

    seller = models.OneToOneField(
        "sellers.Seller", on_delete=models.CASCADE, related_name="payout_account"
    )
    route = models.CharField(max_length=32, choices=PayoutRouteName.choices)

    stripe_account_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    requirements_due = models.JSONField(
        default=list, blank=True, help_text="Stripe's currently and past due requirements."
    )
    disabled_reason = models.CharField(max_length=255, blank=True)
    stripe_synced_at = models.DateTimeField(null=True, blank=True)
    # Stripe's last payout from the connected account to the seller's bank (payout.* events):
    # a failure is something the seller must fix with Stripe (usually their bank details).
    bank_payout_status = models.CharField(max_length=16, blank=True)
    bank_payout_failure = models.CharField(max_length=500, blank=True)
    bank_payout_synced_at = models.DateTimeField(
        null=True, blank=True, help_text="The created time of the payout.* event applied last."
    )

    account_holder = models.CharField(max_length=140, blank=True)
    iban = models.CharField(max_length=34, blank=True, help_text="Compact, upper case.")
    bic = models.CharField(max_length=11, blank=True)
    bank_name = models.CharField(max_length=140, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    bank_verified_at = models.DateTimeField(null=True, blank=True)
    bank_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [("manage_payouts", "Verify payout accounts and release payouts")]

    def __str__(self):
        return f"{self.get_route_display()} account of seller {self.seller_id}"

    @property
    def has_bank_details(self) -> bool:
        return bool(self.account_holder and self.iban and self.bic and self.currency)

    @property
    def bank_verified(self) -> bool:
        return self.bank_verified_at is not None


class PayoutAccountEventKind(models.TextChoices):
    STRIPE_ACCOUNT_CREATED = "stripe_account_created", "Stripe account created"
    STRIPE_SYNCED = "stripe_synced", "Mirrored from Stripe"
    BANK_DETAILS_SET = "bank_details_set", "Bank details set"
    BANK_VERIFIED = "bank_verified", "Bank details verified"
    STRIPE_PAYOUT_PAID = "stripe_payout_paid", "Stripe paid out to the bank"
    STRIPE_PAYOUT_FAILED = "stripe_payout_failed", "Stripe's payout to the bank failed"


class PayoutAccountEvent(models.Model):
    """The history of a payout account: one row per change, written with the change."""

    account = models.ForeignKey(PayoutAccount, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=PayoutAccountEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.account_id})"


class PayoutState(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"


class BankPayoutBatchStatus(models.TextChoices):
    CREATED = "created", "Created"
    SENT = "sent", "Sent to the bank"


class BankPayoutBatch(models.Model):
    """One day's pain.001 credit-transfer file for the bank, holding every approved bank
    payout of that day."""

    date = models.DateField(unique=True)
    file = models.FileField(
        upload_to="batches/%Y/", storage=bank_file_storage, max_length=255, blank=True
    )
    status = models.CharField(
        max_length=16, choices=BankPayoutBatchStatus.choices, default=BankPayoutBatchStatus.CREATED
    )
    message_id = models.CharField(max_length=35, unique=True)
    payout_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Staff download the file, upload it to the bank's portal and say so (``bank_batch_mark_sent``).
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date"]

    def __str__(self):
        return f"Bank batch {self.date}"


class Payout(models.Model):
    """What the platform pays one seller for one order part, once.

    ``amount`` is in the base currency (AZN); ``transfer_amount``/``transfer_currency`` are what
    actually left (Stripe transfer or bank credit transfer). Status moves only along
    ``ALLOWED_TRANSITIONS`` by compare-and-set, with a ``PayoutEvent`` per move.
    """

    ALLOWED_TRANSITIONS = {
        PayoutState.PENDING: {PayoutState.PROCESSING, PayoutState.FAILED},
        # Back to pending after a Stripe error that is worth retrying.
        PayoutState.PROCESSING: {PayoutState.PAID, PayoutState.PENDING, PayoutState.FAILED},
        PayoutState.FAILED: {PayoutState.PENDING},
    }

    seller = models.ForeignKey("sellers.Seller", on_delete=models.PROTECT, related_name="payouts")
    order_part = models.OneToOneField(
        "orders.OrderPart", on_delete=models.PROTECT, related_name="payout"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    route = models.CharField(max_length=32, choices=PayoutRouteName.choices)
    status = models.CharField(
        max_length=16, choices=PayoutState.choices, default=PayoutState.PENDING
    )
    transfer_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    transfer_currency = models.CharField(max_length=3, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    stripe_transfer_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    bank_batch = models.ForeignKey(
        BankPayoutBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="payouts"
    )
    # Set when staff released the part before its hold period ended.
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_amount_positive")
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="payout_status_idx")]

    def __str__(self):
        return f"Payout {self.pk} of {self.amount} {self.currency} to seller {self.seller_id}"


class PayoutRelease(models.Model):
    """Staff released an order part for payout before its hold period ended."""

    order_part = models.OneToOneField(
        "orders.OrderPart", on_delete=models.CASCADE, related_name="payout_release"
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Release of part {self.order_part_id}"


class PayoutEvent(models.Model):
    """The history of a payout: one row per status change or attempt, written with it."""

    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.payout_id}: {self.from_status} → {self.to_status}"

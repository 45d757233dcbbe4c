from django.conf import settings
from django.db import models


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

    seller = models.OneToOneField("sellers.Seller", on_delete=models.CASCADE,
                                  related_name="payout_account")
    route = models.CharField(max_length=32, choices=PayoutRouteName.choices)

    stripe_account_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    requirements_due = models.JSONField(default=list, blank=True,
                                        help_text="Stripe's currently and past due requirements.")
    disabled_reason = models.CharField(max_length=255, blank=True)
    stripe_synced_at = models.DateTimeField(null=True, blank=True)

    account_holder = models.CharField(max_length=140, blank=True)
    iban = models.CharField(max_length=34, blank=True, help_text="Compact, upper case.")
    bic = models.CharField(max_length=11, blank=True)
    bank_name = models.CharField(max_length=140, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    bank_verified_at = models.DateTimeField(null=True, blank=True)
    bank_verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")

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


class PayoutAccountEventType(models.TextChoices):
    STRIPE_ACCOUNT_CREATED = "stripe_account_created", "Stripe account created"
    STRIPE_SYNCED = "stripe_synced", "Mirrored from Stripe"
    BANK_DETAILS_SET = "bank_details_set", "Bank details set"
    BANK_VERIFIED = "bank_verified", "Bank details verified"


class PayoutAccountEvent(models.Model):
    """The history of a payout account: one row per change, written with the change."""

    account = models.ForeignKey(PayoutAccount, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32, choices=PayoutAccountEventType.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_type_display()} ({self.account_id})"

from django.contrib import admin

from market.payouts.models import (
    BankPayoutBatch,
    Payout,
    PayoutAccount,
    PayoutAccountEvent,
    PayoutEvent,
)


class PayoutAccountEventInline(admin.TabularInline):
    model = PayoutAccountEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "type", "actor", "data"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PayoutAccount)
class PayoutAccountAdmin(admin.ModelAdmin):
    """Read-only: payout accounts change through the services (onboarding, webhooks, the
    staff verification mutation), never by hand-editing a row."""

    list_display = ["seller", "route", "stripe_account_id", "payouts_enabled", "iban_last4",
                    "bank_verified_at"]
    list_filter = ["route", "payouts_enabled"]
    search_fields = ["seller__name", "stripe_account_id"]
    exclude = ["iban"]
    inlines = [PayoutAccountEventInline]

    @admin.display(description="IBAN")
    def iban_last4(self, obj):
        return f"…{obj.iban[-4:]}" if obj.iban else ""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "iban"] + ["iban_last4"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PayoutEventInline(admin.TabularInline):
    model = PayoutEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "note", "data"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payout)
class PayoutAdmin(admin.ModelAdmin):
    """Read-only: payouts move only through the payout services (compare-and-set + events)."""

    list_display = ["pk", "seller", "order_part", "amount", "currency", "route", "status",
                    "attempts", "paid_at"]
    list_filter = ["status", "route"]
    search_fields = ["seller__name", "stripe_transfer_id"]
    inlines = [PayoutEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BankPayoutBatch)
class BankPayoutBatchAdmin(admin.ModelAdmin):
    """The daily pain.001 files; read-only (the file itself stays in private storage)."""

    list_display = ["date", "message_id", "payout_count", "status", "created_at"]
    exclude = ["file"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "file"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

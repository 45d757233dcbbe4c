from django.contrib import admin

from market.payouts.models import PayoutAccount, PayoutAccountEvent


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

from django.contrib import admin

from market.payments.models import Payment, PaymentEvent, StripeEvent


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    """Read-only: what Stripe sent us and what became of it."""

    list_display = ["event_id", "type", "account", "status", "created", "processed_at"]
    list_filter = ["status", "type"]
    search_fields = ["event_id", "account"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaymentEventInline(admin.TabularInline):
    model = PaymentEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ["created_at", "from_status", "to_status", "note",
                                "stripe_event_id"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Read-only: payments change only through the gateway and its webhooks."""

    list_display = ["order", "gateway", "status", "amount", "currency", "decline_code",
                    "created_at"]
    list_filter = ["status", "gateway"]
    search_fields = ["order__number", "provider_id", "stripe_charge_id"]
    inlines = [PaymentEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin

from market.payments.models import StripeEvent


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

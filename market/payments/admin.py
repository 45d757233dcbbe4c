from django.contrib import admin

from market.core.admin import ReadOnlyAdmin, ReadOnlyInline
from market.payments.models import Payment, PaymentEvent, Refund, RefundEvent, StripeEvent


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    """Read-only: what Stripe sent us and what became of it."""

    list_display = ["event_id", "type", "account", "status", "created", "processed_at"]
    list_filter = ["status", "type"]
    search_fields = ["event_id", "account"]


class PaymentEventInline(ReadOnlyInline):
    model = PaymentEvent
    fields = readonly_fields = ["created_at", "from_status", "to_status", "note", "stripe_event_id"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Read-only: payments change only through the gateway and its webhooks."""

    list_display = [
        "order",
        "gateway",
        "status",
        "amount",
        "currency",
        "decline_code",
        "created_at",
    ]
    list_filter = ["status", "gateway"]
    search_fields = ["order__number", "provider_id", "stripe_charge_id"]
    inlines = [PaymentEventInline]


class RefundEventInline(ReadOnlyInline):
    model = RefundEvent
    fields = readonly_fields = ["created_at", "from_status", "to_status", "note", "stripe_event_id"]


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = "needs staff"
    parameter_name = "needs_attention"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(attention="")
        if self.value() == "no":
            return queryset.filter(attention="")
        return queryset


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    """Read-only: refunds change only through the refund service, the gateway and its
    webhooks. "Needs staff" lists refunds whose money must be put right by hand."""

    list_display = [
        "pk",
        "order_number",
        "order_part",
        "status",
        "source",
        "amount",
        "currency",
        "provider_id",
        "needs_attention",
        "created_at",
    ]
    list_filter = ["status", "source", NeedsAttentionFilter, "currency"]
    list_select_related = ["order_part__order"]
    search_fields = [
        "order_part__order__number",
        "provider_id",
        "payment__provider_id",
        "idempotency_key",
    ]
    inlines = [RefundEventInline]

    @admin.display(description="order", ordering="order_part__order__number")
    def order_number(self, obj):
        return obj.order_part.order.number

    @admin.display(description="needs staff", boolean=True)
    def needs_attention(self, obj):
        return bool(obj.attention)

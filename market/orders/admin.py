"""Orders are shown read-only: they change only through the services, which keep their events
and invariants."""

from django.contrib import admin

from market.core.admin import PersonalDataAuditAdmin, ReadOnlyAdmin, ReadOnlyInline
from market.orders.models import Order, OrderEvent, OrderLine, OrderPart


class OrderPartInline(ReadOnlyInline):
    model = OrderPart
    fields = [
        "seller",
        "status",
        "shipping_method_name",
        "subtotal_amount",
        "shipping_amount",
        "vat_amount",
        "duties_amount",
        "total_amount",
    ]
    readonly_fields = fields


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["sku", "product_name", "quantity", "unit_price_amount", "total_amount"]
    readonly_fields = fields


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "kind", "part", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(PersonalDataAuditAdmin, ReadOnlyAdmin):
    list_display = [
        "number",
        "email",
        "status",
        "currency",
        "total_amount",
        "shipping_country",
        "created_at",
    ]
    list_filter = ["status", "currency", "incoterm"]
    search_fields = ["number", "email"]
    inlines = [OrderPartInline, OrderEventInline]

    def personal_data_subject(self, obj):
        return obj.user


@admin.register(OrderPart)
class OrderPartAdmin(ReadOnlyAdmin):
    list_display = ["order", "seller", "status", "total_amount"]
    list_filter = ["status"]
    list_select_related = ["order", "seller"]
    inlines = [OrderLineInline]

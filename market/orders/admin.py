"""Staff edit the delivery and duty tables here; checkouts and orders are shown read-only
(they change only through the services, which keep their events and invariants)."""

from django.contrib import admin

from market.core.admin import ReadOnlyAdmin, ReadOnlyInline
from market.orders.models import (
    Checkout,
    CheckoutDelivery,
    CheckoutLine,
    DutyCountry,
    DutyRate,
    Order,
    OrderEvent,
    OrderLine,
    OrderPart,
    ShippingMethod,
    ShippingRate,
    ShippingZone,
)


class ShippingMethodInline(admin.TabularInline):
    model = ShippingMethod
    fields = ["name", "carrier", "transit_days_min", "transit_days_max", "is_active", "sort_order"]
    show_change_link = True
    extra = 0


@admin.register(ShippingZone)
class ShippingZoneAdmin(admin.ModelAdmin):
    list_display = ["name", "countries", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    inlines = [ShippingMethodInline]


class ShippingRateInline(admin.TabularInline):
    model = ShippingRate
    fields = ["max_weight_grams", "price_amount"]
    extra = 0


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin):
    list_display = ["name", "zone", "carrier", "transit_days_min", "transit_days_max", "is_active"]
    list_filter = ["zone", "is_active"]
    list_select_related = ["zone"]
    inlines = [ShippingRateInline]


class DutyRateInline(admin.TabularInline):
    model = DutyRate
    fields = ["hs_chapter", "rate"]
    extra = 0


@admin.register(DutyCountry)
class DutyCountryAdmin(admin.ModelAdmin):
    list_display = [
        "country",
        "de_minimis_amount",
        "de_minimis_currency",
        "default_rate",
        "ddp_available",
    ]
    list_filter = ["ddp_available"]
    inlines = [DutyRateInline]


class CheckoutLineInline(ReadOnlyInline):
    model = CheckoutLine
    fields = ["variant", "quantity", "created_at"]
    readonly_fields = fields


class CheckoutDeliveryInline(ReadOnlyInline):
    model = CheckoutDelivery
    fields = ["seller", "shipping_method"]
    readonly_fields = fields


@admin.register(Checkout)
class CheckoutAdmin(ReadOnlyAdmin):
    list_display = ["token", "email", "currency", "shipping_country", "status", "expires_at"]
    list_filter = ["status", "currency"]
    search_fields = ["email", "token"]
    inlines = [CheckoutLineInline, CheckoutDeliveryInline]


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
class OrderAdmin(ReadOnlyAdmin):
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


@admin.register(OrderPart)
class OrderPartAdmin(ReadOnlyAdmin):
    list_display = ["order", "seller", "status", "total_amount"]
    list_filter = ["status"]
    list_select_related = ["order", "seller"]
    inlines = [OrderLineInline]

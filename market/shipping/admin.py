"""Staff edit the delivery and duty tables here."""

from django.contrib import admin

from market.core.admin import CatalogueAdmin
from market.shipping.models import (
    DutyCountry,
    DutyRate,
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
class ShippingZoneAdmin(CatalogueAdmin):
    list_display = ["name", "countries", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    inlines = [ShippingMethodInline]


class ShippingRateInline(admin.TabularInline):
    model = ShippingRate
    fields = ["max_weight_grams", "price_amount"]
    extra = 0


@admin.register(ShippingMethod)
class ShippingMethodAdmin(CatalogueAdmin):
    list_display = ["name", "zone", "carrier", "transit_days_min", "transit_days_max", "is_active"]
    list_filter = ["zone", "is_active"]
    list_select_related = ["zone"]
    inlines = [ShippingRateInline]


class DutyRateInline(admin.TabularInline):
    model = DutyRate
    fields = ["hs_chapter", "rate"]
    extra = 0


@admin.register(DutyCountry)
class DutyCountryAdmin(CatalogueAdmin):
    list_display = [
        "country",
        "de_minimis_amount",
        "de_minimis_currency",
        "default_rate",
        "ddp_available",
    ]
    list_filter = ["ddp_available"]
    inlines = [DutyRateInline]

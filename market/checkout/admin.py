"""Checkouts are shown read-only: they change only through the services, which keep their
reservations and invariants."""

from django.contrib import admin

from market.checkout.models import Checkout, CheckoutDelivery, CheckoutLine
from market.core.admin import PersonalDataAuditAdmin, ReadOnlyAdmin, ReadOnlyInline


class CheckoutLineInline(ReadOnlyInline):
    model = CheckoutLine
    fields = ["variant", "quantity", "created_at"]
    readonly_fields = fields


class CheckoutDeliveryInline(ReadOnlyInline):
    model = CheckoutDelivery
    fields = ["seller", "shipping_method"]
    readonly_fields = fields


@admin.register(Checkout)
class CheckoutAdmin(PersonalDataAuditAdmin, ReadOnlyAdmin):
    list_display = ["token", "email", "currency", "shipping_country", "status", "expires_at"]
    list_filter = ["status", "currency"]
    search_fields = ["email", "token"]
    inlines = [CheckoutLineInline, CheckoutDeliveryInline]

    def personal_data_subject(self, obj):
        return obj.user

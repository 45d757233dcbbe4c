from django.contrib import admin

from market.core.admin import ReadOnlyAdmin
from market.ledger.models import CategoryCommission, LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """Read-only: the ledger is append-only and only the services write to it."""

    list_display = [
        "created_at",
        "account",
        "seller",
        "kind",
        "amount",
        "currency",
        "amount_order",
        "currency_order",
        "order",
        "key",
    ]
    list_filter = ["account", "kind", "currency"]
    search_fields = ["key", "reference", "seller__name", "order__number"]
    list_select_related = ["seller", "order"]


@admin.register(CategoryCommission)
class CategoryCommissionAdmin(admin.ModelAdmin):
    """The platform's fee per category (percent); subcategories without their own follow it."""

    list_display = ["category", "rate"]
    list_select_related = ["category"]
    search_fields = ["category__name"]

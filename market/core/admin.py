from django.contrib import admin

from market.core.models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "rate", "base_currency", "source", "valid_at", "created_at"]
    list_filter = ["currency", "source"]
    date_hierarchy = "valid_at"

from django.contrib import admin

from market.sellers.models import Seller


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ["name", "discipline", "city", "country", "is_resident", "status"]
    list_filter = ["discipline", "status", "is_resident", "country"]
    search_fields = ["name", "slug", "city"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from market.accounts.models import RefreshToken, User
from market.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_email_verified", "is_staff"]
    list_filter = ["is_staff", "is_superuser", "is_active", "is_email_verified", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "is_email_verified"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups",
                                    "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(RefreshToken)
class RefreshTokenAdmin(ReadOnlyAdmin):
    """Who is signed in where, for support: read-only (only hashes are stored anyway)."""

    list_display = ["user", "family_id", "created_at", "expires_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["user__email", "=family_id"]
    date_hierarchy = "created_at"

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError

from market.accounts.error_codes import AccountErrorCode
from market.accounts.models import RefreshToken, User
from market.accounts.services import user_authenticate
from market.accounts.throttling import request_client_address
from market.core.admin import PersonalDataAuditAdmin, ReadOnlyAdmin
from market.core.errors import DomainError


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login page signs in through ``user_authenticate``, as the API does: the
    same limits per client address and per account, counted together."""

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            try:
                self.user_cache = user_authenticate(
                    email=email,
                    password=password,
                    client_address=request_client_address(self.request),
                )
            except DomainError as error:
                if error.code == AccountErrorCode.TOO_MANY_ATTEMPTS:
                    raise ValidationError(error.message, code="too_many_attempts") from None
                raise self.get_invalid_login_error() from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


admin.site.login_form = AdminLoginForm


@admin.register(User)
class UserAdmin(PersonalDataAuditAdmin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_email_verified", "is_staff"]
    list_filter = ["is_staff", "is_superuser", "is_active", "is_email_verified", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "is_email_verified"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def personal_data_subject(self, obj: User) -> User:
        return obj


@admin.register(RefreshToken)
class RefreshTokenAdmin(ReadOnlyAdmin):
    """Who is signed in where, for support: read-only (only hashes are stored anyway)."""

    list_display = ["user", "family_id", "created_at", "expires_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["user__email", "=family_id"]
    date_hierarchy = "created_at"

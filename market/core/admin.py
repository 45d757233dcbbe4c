from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib import admin, messages
from django.db.models import Model
from django.http import HttpRequest

from market.core.catalogue_cache import catalogue_changed
from market.core.errors import DomainError
from market.core.models import ExchangeRate

_M = TypeVar("_M", bound=Model)


def apply_each(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[_M],
    act: Callable[[_M], object],
    *,
    done: str,
    label: Callable[[_M], str] = str,
) -> None:
    """An admin action through a service: ``act(obj)`` for each selected object, one success
    message with the count (``done``), one warning per object the service refused."""
    count, refused = 0, []
    for obj in objects:
        try:
            act(obj)
        except DomainError as error:
            refused.append(f"{label(obj)}: {error.message}")
        else:
            count += 1
    if count:
        model_admin.message_user(request, f"{done}: {count}.", messages.SUCCESS)
    for line in refused:
        model_admin.message_user(request, f"Refused — {line}", messages.WARNING)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only the services write (they keep the events and invariants): staff look, never
    add, edit or delete. Django shows the change page as a read-only view."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """An append-only history or the parts of a read-only row, shown under it."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class CatalogueAdmin(admin.ModelAdmin):
    """For rows the catalogue's answers show (products, categories, sellers, rates, delivery
    tables): staff edits bypass the services, so every save or delete here drops the kept
    answers (``catalogue_changed``) once committed."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        catalogue_changed(listings=True)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        catalogue_changed(listings=True)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        catalogue_changed(listings=True)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(CatalogueAdmin):
    list_display = ["currency", "rate", "base_currency", "source", "valid_at", "created_at"]
    list_filter = ["currency", "source"]
    date_hierarchy = "valid_at"

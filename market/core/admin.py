from collections.abc import Callable, Iterable
from typing import TypeVar

from django.contrib import admin, messages
from django.db.models import Model
from django.http import HttpRequest

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


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "rate", "base_currency", "source", "valid_at", "created_at"]
    list_filter = ["currency", "source"]
    date_hierarchy = "valid_at"

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse

from market.core.catalogue_cache import catalogue_changed
from market.core.errors import DomainError
from market.core.models import ExchangeRate, PersonalDataAccess, PersonalDataAction
from market.core.permissions import StaffPermission
from market.core.services import personal_data_access_record

if TYPE_CHECKING:
    from market.accounts.models import User

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


class PersonalDataAuditAdmin(admin.ModelAdmin):
    """The admin of a model holding people's data: each time staff open one of its records,
    change it or delete it, a row goes to the audit log (``PersonalDataAccess``), in the
    transaction of the change. Subclasses say whose data a record is
    (``personal_data_subject``)."""

    def personal_data_subject(self, obj: Any) -> User | None:
        return None

    def personal_data_log(
        self, request: HttpRequest, obj: Model, action: PersonalDataAction, reason: str = ""
    ) -> None:
        user = request.user
        personal_data_access_record(
            actor=user if user.is_authenticated else None,
            action=action,
            subject=self.personal_data_subject(obj),
            record=obj,
            reason=reason,
        )

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        # Opening the page shows the record; a refused save shows it again and is no new look.
        if obj is not None and request.method == "GET":
            self.personal_data_log(request, obj, PersonalDataAction.VIEW)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            changed = ", ".join(getattr(form, "changed_data", []) or []) or "nothing"
            self.personal_data_log(
                request, obj, PersonalDataAction.CHANGE, reason=f"Fields: {changed}"
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.personal_data_log(request, obj, PersonalDataAction.DELETE)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.personal_data_log(request, obj, PersonalDataAction.DELETE)
        super().delete_queryset(request, queryset)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    """The audit log: read by privacy officers (and superusers); nobody adds, edits or deletes
    a row here, superusers included."""

    list_display = ["created_at", "action", "actor", "subject", "record", "request_id"]
    list_filter = ["action"]
    list_select_related = ["actor", "subject"]
    search_fields = ["=subject__id", "=actor__id", "record", "=request_id"]
    date_hierarchy = "created_at"
    fields = ["created_at", "action", "actor", "subject", "record", "request_id", "reason"]
    readonly_fields = fields
    actions = None

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.has_perm(StaffPermission.MANAGE_PERSONAL_DATA)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(StaffPermission.MANAGE_PERSONAL_DATA)

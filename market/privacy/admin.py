"""Staff answer people's requests from the users list: export someone's data (a JSON file) or
erase it, each with a reason that goes to the audit log. Only staff holding
``core.manage_personal_data`` see the actions."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from market.accounts.admin import UserAdmin
from market.accounts.models import User
from market.core.admin import apply_each
from market.core.errors import DomainError
from market.core.permissions import StaffPermission
from market.privacy import services


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea,
        max_length=services.MAX_REASON_LENGTH,
        help_text="Why: the request's reference, or the grounds. It goes to the audit log.",
    )


admin.site.unregister(User)


@admin.register(User)
class PersonalDataUserAdmin(UserAdmin):
    actions = ["export_personal_data", "erase_personal_data"]

    def has_personal_data_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(StaffPermission.MANAGE_PERSONAL_DATA)

    def _reason(
        self, request: HttpRequest, queryset: QuerySet[User], *, action: str, title: str
    ) -> tuple[str | None, HttpResponse | None]:
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            return form.cleaned_data["reason"], None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "people": list(queryset),
            "action": action,
            "opts": self.model._meta,
        }
        return None, TemplateResponse(request, "admin/privacy/reason.html", context)

    @admin.action(description="Export personal data (JSON)", permissions=["personal_data"])
    def export_personal_data(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse | None:
        people = list(queryset[:2])
        if len(people) != 1:
            self.message_user(request, "Export one person at a time.", messages.WARNING)
            return None
        reason, form_page = self._reason(
            request, queryset, action="export_personal_data", title="Export personal data"
        )
        if form_page is not None:
            return form_page
        assert isinstance(request.user, User) and reason is not None
        try:
            data = services.personal_data_export(
                user=people[0], by_staff=request.user, reason=reason
            )
        except DomainError as error:
            self.message_user(request, error.message, messages.WARNING)
            return None
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="personal-data-{people[0].pk}.json"'
        )
        return response

    @admin.action(description="Erase personal data", permissions=["personal_data"])
    def erase_personal_data(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse | None:
        reason, form_page = self._reason(
            request, queryset, action="erase_personal_data", title="Erase personal data"
        )
        if form_page is not None:
            return form_page
        staff = request.user
        assert isinstance(staff, User) and reason is not None
        apply_each(
            self,
            request,
            queryset,
            lambda person: services.personal_data_erase(user=person, by_staff=staff, reason=reason),
            done="Erased",
            label=lambda person: f"user {person.pk}",
        )
        return None

from django import forms
from django.contrib import admin
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from market.core.admin import CatalogueAdmin, PersonalDataAuditAdmin, apply_each
from market.core.models import PersonalDataAction
from market.core.permissions import StaffPermission
from market.sellers import services
from market.sellers.models import Seller, SellerDocument, SellerEvent


class ReadOnlyInline(admin.TabularInline):
    """Shown to whoever may see the seller; rows change only through the services."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("sellers.view_seller") or request.user.has_perm(
            "sellers.change_seller"
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SellerEventInline(ReadOnlyInline):
    """The history is append-only: shown, never edited."""

    model = SellerEvent
    fields = ["created_at", "kind", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    ordering = ["created_at", "pk"]


class SellerDocumentInline(ReadOnlyInline):
    model = SellerDocument
    fields = ["kind", "download", "content_type", "size_bytes", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description="File")
    def download(self, document):
        url = reverse("admin:sellers_sellerdocument_download", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, document.original_name or "download")


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea, max_length=2000)


@admin.register(Seller)
class SellerAdmin(PersonalDataAuditAdmin, CatalogueAdmin):
    list_display = [
        "name",
        "discipline",
        "city",
        "country",
        "is_resident",
        "status",
        "submitted_at",
    ]
    list_filter = ["status", "discipline", "is_resident", "country"]
    search_fields = ["name", "slug", "city", "contact_email", "membership_number"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]
    # The status moves only through the review actions, so the same rules and e-mails apply.
    readonly_fields = ["status", "rejection_reason", "submitted_at", "decided_at", "created_at"]
    inlines = [SellerDocumentInline, SellerEventInline]
    actions = [
        "approve_applications",
        "reject_applications",
        "suspend_sellers",
        "reinstate_sellers",
    ]

    def get_urls(self):
        download = self.admin_site.admin_view(self.document_download)
        return [
            path("document/<int:document_id>/", download, name="sellers_sellerdocument_download"),
            *super().get_urls(),
        ]

    def document_download(self, request, document_id):
        if not request.user.has_perm(StaffPermission.MANAGE_SELLERS):
            raise Http404
        document = SellerDocument.objects.filter(pk=document_id).first()
        if document is None:
            raise Http404
        self.personal_data_log(
            request,
            document.seller,
            PersonalDataAction.DOWNLOAD,
            reason=(f"Document {document.pk} ({document.kind})"),
        )
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.original_name or document.file.name,
            content_type=document.content_type,
        )

    def _apply(self, request, queryset, decide, done: str) -> None:
        apply_each(self, request, queryset, decide, done=done, label=lambda s: s.name)

    def _with_reason(self, request, queryset, *, action: str, title: str, decide, done: str):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._apply(request, queryset, lambda s: decide(s, reason), done)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "sellers": list(queryset),
            "action": action,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/sellers/seller/reason.html", context)

    @admin.action(description="Approve selected applications", permissions=["manage"])
    def approve_applications(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda s: services.seller_application_approve(seller_id=s.pk, actor=request.user),
            "Approved",
        )

    @admin.action(
        description="Reject selected applications (with a reason)", permissions=["manage"]
    )
    def reject_applications(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            action="reject_applications",
            title="Reject applications",
            decide=lambda s, reason: services.seller_application_reject(
                seller_id=s.pk, actor=request.user, reason=reason
            ),
            done="Rejected",
        )

    @admin.action(description="Suspend selected sellers (with a reason)", permissions=["manage"])
    def suspend_sellers(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            action="suspend_sellers",
            title="Suspend sellers",
            decide=lambda s, reason: services.seller_suspend(
                seller_id=s.pk, actor=request.user, reason=reason
            ),
            done="Suspended",
        )

    @admin.action(description="Reinstate selected sellers", permissions=["manage"])
    def reinstate_sellers(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda s: services.seller_reinstate(seller_id=s.pk, actor=request.user),
            "Reinstated",
        )

    def personal_data_subject(self, obj):
        return obj.user

    def has_manage_permission(self, request):
        return request.user.has_perm(StaffPermission.MANAGE_SELLERS)

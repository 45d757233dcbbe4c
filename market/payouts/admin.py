from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html

from market.core.admin import (
    PersonalDataAuditAdmin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    apply_each,
)
from market.core.errors import DomainError
from market.core.permissions import StaffPermission
from market.payouts import paying
from market.payouts.models import (
    BankPayoutBatch,
    Payout,
    PayoutAccount,
    PayoutAccountEvent,
    PayoutEvent,
)


class PayoutAccountEventInline(ReadOnlyInline):
    model = PayoutAccountEvent
    fields = ["created_at", "kind", "actor", "data"]
    readonly_fields = fields


@admin.register(PayoutAccount)
class PayoutAccountAdmin(PersonalDataAuditAdmin, ReadOnlyAdmin):
    """Read-only: payout accounts change through the services (onboarding, webhooks, the
    staff verification mutation), never by hand-editing a row."""

    list_display = [
        "seller",
        "route",
        "stripe_account_id",
        "payouts_enabled",
        "iban_last4",
        "bank_verified_at",
    ]
    list_filter = ["route", "payouts_enabled"]
    search_fields = ["seller__name", "stripe_account_id"]
    exclude = ["iban"]
    inlines = [PayoutAccountEventInline]

    @admin.display(description="IBAN")
    def iban_last4(self, obj):
        return f"…{obj.iban[-4:]}" if obj.iban else ""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "iban"] + ["iban_last4"]

    def personal_data_subject(self, obj):
        return obj.seller.user


class PayoutEventInline(ReadOnlyInline):
    model = PayoutEvent
    fields = ["created_at", "from_status", "to_status", "note", "data"]
    readonly_fields = fields


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    """Read-only: payouts move only through the payout services (compare-and-set + events)."""

    list_display = [
        "pk",
        "seller",
        "order_part",
        "amount",
        "currency",
        "route",
        "status",
        "attempts",
        "paid_at",
    ]
    list_filter = ["status", "route"]
    search_fields = ["seller__name", "stripe_transfer_id"]
    inlines = [PayoutEventInline]
    actions = ["retry_failed"]

    @admin.action(description="Retry selected failed payouts", permissions=["manage"])
    def retry_failed(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda payout: paying.payout_retry(payout_id=payout.pk, actor=request.user),
            done="Queued again",
            label=lambda payout: f"Payout {payout.pk}",
        )

    def has_manage_permission(self, request):
        return request.user.has_perm(StaffPermission.MANAGE_PAYOUTS)

    def has_view_permission(self, request, obj=None):
        return self.has_manage_permission(request) or super().has_view_permission(request, obj)


@admin.register(BankPayoutBatch)
class BankPayoutBatchAdmin(ReadOnlyAdmin):
    """The daily pain.001 files: staff who manage payouts download the day's file, upload it to
    the bank and mark it sent. Nothing else changes here (the file stays in private storage)."""

    list_display = [
        "date",
        "message_id",
        "payout_count",
        "status",
        "sent_at",
        "sent_by",
        "download",
    ]
    list_filter = ["status"]
    exclude = ["file"]
    actions = ["mark_sent"]

    def get_urls(self):
        download = self.admin_site.admin_view(self.file_download)
        return [
            path("<int:batch_id>/file/", download, name="payouts_bankpayoutbatch_file"),
            *super().get_urls(),
        ]

    @admin.display(description="File")
    def download(self, batch):
        if not batch.file:
            return ""
        url = reverse("admin:payouts_bankpayoutbatch_file", args=[batch.pk])
        return format_html('<a href="{}">{}.xml</a>', url, batch.message_id)

    def file_download(self, request, batch_id):
        if not self.has_manage_permission(request):
            raise PermissionDenied
        try:
            batch, handle = paying.bank_batch_file_open(batch_id=batch_id)
        except DomainError as error:
            raise Http404(error.message) from error
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"{batch.message_id}.xml",
            content_type="application/xml",
        )

    @admin.action(description="Mark selected files as sent to the bank", permissions=["manage"])
    def mark_sent(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda batch: paying.bank_batch_mark_sent(batch_id=batch.pk, actor=request.user),
            done="Marked as sent",
        )

    def has_manage_permission(self, request):
        return request.user.has_perm(StaffPermission.MANAGE_PAYOUTS)

    def has_view_permission(self, request, obj=None):
        # The "Payout managers" group holds only the manage permission.
        return self.has_manage_permission(request) or super().has_view_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "file"] + ["download"]

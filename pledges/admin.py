from django.contrib import admin
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pledges.export import csv_lines
from pledges.models import Signature


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "country", "industry", "show_name", "status", "created_at"]
    list_filter = ["status", "campaign", "country", "industry", "show_name", "created_at"]
    search_fields = ["name", "email"]
    date_hierarchy = "created_at"
    list_select_related = ["campaign"]
    list_per_page = 50
    # The exact total of a filtered list costs a second full count; the
    # unfiltered total is enough for moderation.
    show_full_result_count = False
    readonly_fields = ["campaign", "email", "created_at", "moderated_at"]
    fields = [
        "campaign",
        "name",
        "email",
        "country",
        "industry",
        "comment",
        "show_name",
        "status",
        "created_at",
        "moderated_at",
    ]
    actions = ["approve", "hide", "mark_as_spam", "export_csv"]

    def has_add_permission(self, request):
        # Signatures come from signers, through the letter's form.
        return False

    def _moderate(self, request, queryset, status):
        updated = queryset.moderate(status)
        self.message_user(
            request,
            ngettext(
                "%(count)d signature marked “%(status)s”.",
                "%(count)d signatures marked “%(status)s”.",
                updated,
            )
            % {"count": updated, "status": Signature.Status(status).label},
        )

    @admin.action(description=_("Approve selected signatures"), permissions=["change"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, Signature.Status.APPROVED)

    @admin.action(description=_("Hide selected signatures"), permissions=["change"])
    def hide(self, request, queryset):
        self._moderate(request, queryset, Signature.Status.HIDDEN)

    @admin.action(description=_("Mark selected signatures as spam"), permissions=["change"])
    def mark_as_spam(self, request, queryset):
        self._moderate(request, queryset, Signature.Status.SPAM)

    @admin.action(description=_("Export selected signatures as CSV"), permissions=["export"])
    def export_csv(self, request, queryset):
        filename = f"signatures-{timezone.now():%Y%m%d-%H%M%S}.csv"
        return StreamingHttpResponse(
            csv_lines(queryset.select_related(None)),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def has_export_permission(self, request):
        return request.user.has_perm("pledges.export_signature")

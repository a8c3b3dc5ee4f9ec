from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pledges.addresses import canonical_email
from pledges.export import csv_lines
from pledges.models import BlockedDomain, Signature


class CappedCountPaginator(Paginator):
    """A paginator that counts at most CAP rows: pages beyond are reached by
    filtering or searching, which is how staff find a signature anyway."""

    CAP = 10_000

    @cached_property
    def count(self):
        # Without the list's ORDER BY: with it, PostgreSQL walks the primary key
        # backwards through every row to find the few a search matches.
        return self.object_list.order_by()[: self.CAP].count()


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    # Country and industry through their own lookups: the admin's default
    # display goes through every choice (250 countries) for every cell.
    list_display = [
        "name",
        "campaign",
        "country_name",
        "industry_label",
        "show_name",
        "status",
        "is_confirmed",
        "is_featured",
        "created_at",
    ]
    list_filter = [
        "status",
        ("confirmed_at", admin.EmptyFieldListFilter),
        "campaign",
        "country",
        "industry",
        "show_name",
        "is_featured",
        "created_at",
    ]
    search_fields = ["name", "email"]
    list_select_related = ["campaign"]
    list_per_page = 50
    # Counting a million rows for the pager costs more than the page itself:
    # count up to a cap, and skip the admin's second, unfiltered count. (No
    # date_hierarchy either: its year/month links aggregate every row.)
    paginator = CappedCountPaginator
    show_full_result_count = False
    readonly_fields = [
        "campaign",
        "email",
        "created_at",
        "confirmed_at",
        "moderated_at",
        "consent_version",
        "consented_at",
        "ip_hash",
        "anonymised_at",
    ]
    fieldsets = [
        (None, {"fields": ["campaign", "name", "email", "country", "industry", "comment"]}),
        (_("Moderation"), {"fields": ["show_name", "status", "moderated_at"]}),
        (
            _("Featured voice"),
            {
                "fields": ["is_featured", "is_founding_signer", "quote"],
                "description": _(
                    "Featured signers are quoted on the campaign page, founding signers first."
                ),
            },
        ),
        (
            _("Record"),
            {
                "fields": [
                    "created_at",
                    "confirmed_at",
                    "consent_version",
                    "consented_at",
                    "ip_hash",
                    "anonymised_at",
                ]
            },
        ),
    ]
    actions = ["approve", "hide", "mark_as_spam", "export_csv"]

    def has_add_permission(self, request):
        # Signatures come from signers, through the letter's form.
        return False

    def get_search_results(self, request, queryset, search_term):
        # A whole address is looked up by its canonical form, through the unique
        # index, instead of a substring scan of every row; it also finds the
        # signature whatever the dots, case and +tag the staff member typed.
        term = search_term.strip()
        local, _, domain = term.rpartition("@")
        if local and "." in domain and " " not in term:
            return queryset.filter(email_canonical=canonical_email(term)), False
        # Anything else: the words as one phrase in the name, or a part of an
        # address; on PostgreSQL a trigram index serves both (migration 0002).
        if term:
            return queryset.filter(Q(name__icontains=term) | Q(email__icontains=term)), False
        return queryset, False

    @admin.display(description=_("country"), ordering="country")
    def country_name(self, signature):
        return signature.country.name

    @admin.display(description=_("industry"), ordering="industry")
    def industry_label(self, signature):
        return signature.industry_label

    @admin.display(description=_("confirmed"), boolean=True, ordering="confirmed_at")
    def is_confirmed(self, signature):
        return signature.is_confirmed

    def _moderate(self, request, queryset, status):
        label = Signature.Status(status).label
        # Who did what, when: Django's admin log, shown under "Moderation log"
        # and in each signature's history.
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=queryset,
            action_flag=CHANGE,
            change_message=f"Marked “{label}” (bulk action)",
            single_object=False,
        )
        updated = queryset.moderate(status)
        self.message_user(
            request,
            ngettext(
                "%(count)d signature marked “%(status)s”.",
                "%(count)d signatures marked “%(status)s”.",
                updated,
            )
            % {"count": updated, "status": label},
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


@admin.register(BlockedDomain)
class BlockedDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "reason", "created_at"]
    search_fields = ["domain", "reason"]


@admin.register(LogEntry)
class ModerationLogAdmin(admin.ModelAdmin):
    """Every change staff made in the admin, moderation actions included: read only."""

    list_display = ["action_time", "user", "content_type", "object_repr", "change_message"]
    list_filter = ["action_flag", "content_type", "user"]
    search_fields = ["object_repr", "change_message"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

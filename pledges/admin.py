from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from campaign.models import Campaign, SourceCode
from pledges import charts, funnel
from pledges.addresses import canonical_email
from pledges.export import UPDATE_RECIPIENT_COLUMNS, csv_lines, csv_rows
from pledges.models import (
    BlockedDomain,
    CommentToReview,
    EmailTally,
    Signature,
    SignatureLog,
    SignatureTally,
    SourceTally,
    SuppressedAddress,
)
from pledges.models.delivery import address_key
from pledges.statistics import country_name
from pledges.updates import admin as updates_admin  # noqa: F401 - registers UpdateAdmin
from timesup.infrastructure.admin_site import ReadOnlyAdmin, log_change


class CappedCountPaginator(Paginator):
    """A paginator that counts at most CAP rows: pages beyond are reached by
    filtering or searching, which is how staff find a signature anyway."""

    CAP = 10_000

    @cached_property
    def count(self):
        # Without the list's ORDER BY: with it, PostgreSQL walks the primary key
        # backwards through every row to find the few a search matches.
        return self.object_list.order_by()[: self.CAP].count()


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("confirmation")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Confirmed")),
            ("no", _("Not confirmed")),
            ("undeliverable", _("Email bounced or reported as spam")),
        ]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(confirmed_at__isnull=self.value() == "no")
        if self.value() == "undeliverable":
            return queryset.filter(confirmed_at__isnull=True, undeliverable_at__isnull=False)
        return queryset


class CountryFilter(admin.SimpleListFilter):
    """Only the countries signatures that count come from, read from the kept
    tallies: not 250 links, and no scan of a million rows to find them."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = (
            SignatureTally.objects.filter(dimension=SignatureTally.Dimension.COUNTRY, count__gt=0)
            .exclude(value="")
            .values_list("value", flat=True)
            .distinct()
        )
        return sorted(((code, country_name(code)) for code in codes), key=lambda c: str(c[1]))

    def queryset(self, request, queryset):
        return queryset.filter(country=self.value()) if self.value() else queryset


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    # Country and industry through their own lookups: the admin's default
    # display goes through every choice (250 countries) for every cell. Few
    # columns, so that the list fits a 1366-pixel screen; the rest are filters.
    list_display = [
        "name",
        "campaign",
        "country_name",
        "industry_label",
        "status",
        "is_confirmed",
        "created_at",
    ]
    list_filter = [
        "status",
        ConfirmedFilter,
        "campaign",
        CountryFilter,
        "industry",
        "show_name",
        "wants_updates",
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
    # What the signer confirmed (her name, whether it is shown, her comment,
    # country and industry) is hers: staff approve, hide or feature it, and
    # never rewrite it.
    readonly_fields = [
        "campaign",
        "name",
        "email",
        "country",
        "industry",
        "comment",
        "show_name",
        "created_at",
        "confirmed_at",
        "moderated_at",
        "consent_version",
        "consented_at",
        "ip_hash",
        "anonymised_at",
        "undeliverable_at",
        "wants_updates",
        "updates_consent_version",
        "updates_consented_at",
        "unsubscribed_at",
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
                    "undeliverable_at",
                ]
            },
        ),
        (
            _("Updates"),
            {
                "fields": [
                    "wants_updates",
                    "updates_consent_version",
                    "updates_consented_at",
                    "unsubscribed_at",
                ],
                "description": _("Only the signer can ask for updates, or stop them."),
            },
        ),
    ]
    actions = ["approve", "hide", "mark_as_spam", "export_csv", "export_update_recipients_csv"]

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
        # address, through a trigram index on either database.
        if term:
            return queryset.search(term), False
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
        updated = queryset.moderate(status, moderator=request.user, how="bulk action")
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
        log_export(request, queryset, "Exported its signatures as CSV")
        filename = f"signatures-{timezone.now():%Y%m%d-%H%M%S}.csv"
        return StreamingHttpResponse(
            csv_lines(queryset.select_related(None)),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @admin.action(
        description=_("Export those of the selected who get updates, as CSV"),
        permissions=["export"],
    )
    def export_update_recipients_csv(self, request, queryset):
        # Only those an update would go to now: asked, not stopped, counted.
        log_export(request, queryset, "Exported its update recipients as CSV")
        filename = f"update-recipients-{timezone.now():%Y%m%d-%H%M%S}.csv"
        return StreamingHttpResponse(
            csv_lines(queryset.select_related(None).update_recipients(), UPDATE_RECIPIENT_COLUMNS),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def has_export_permission(self, request):
        return request.user.has_perm("pledges.export_signature")


def log_export(request, signatures, message):
    """An export, in the admin log: one entry per letter whose signatures left
    the site (not one per signature: an export may hold a million)."""
    campaign_ids = signatures.order_by().values_list("campaign_id", flat=True).distinct()
    log_change(request, list(Campaign.objects.filter(pk__in=campaign_ids)), message)


@admin.register(CommentToReview)
class CommentReviewAdmin(admin.ModelAdmin):
    """The moderators' queue: comments that wait for someone to read them,
    oldest first, each approved (shown on the wall) or hidden in one click."""

    list_display = ["name", "comment", "country_name", "created_at", "verdict_buttons"]
    list_display_links = None
    list_per_page = 50
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = None
    VERDICTS = {"approve": Signature.Status.APPROVED, "hide": Signature.Status.HIDDEN}

    def get_queryset(self, request):
        return super().get_queryset(request).awaiting_review()

    def get_changelist_instance(self, request):
        # The title says how many wait, from the count the list makes anyway.
        changelist = super().get_changelist_instance(request)
        waiting = changelist.result_count
        changelist.title = ngettext(
            "%(count)s comment awaiting review, oldest first",
            "%(count)s comments awaiting review, oldest first",
            waiting,
        ) % {"count": f"{waiting:,}" if waiting < CappedCountPaginator.CAP else f"{waiting:,}+"}
        return changelist

    def get_urls(self):
        review = self.admin_site.admin_view(require_POST(self.review_view))
        return [
            path("<int:pk>/<str:verdict>/", review, name="pledges_commenttoreview_verdict"),
            *super().get_urls(),
        ]

    def review_view(self, request, pk, verdict):
        if verdict not in self.VERDICTS or not self.has_change_permission(request):
            return redirect("admin:pledges_commenttoreview_changelist")
        signature = get_object_or_404(Signature, pk=pk)
        Signature.objects.filter(pk=pk).moderate(
            self.VERDICTS[verdict], moderator=request.user, how="review queue"
        )
        label = Signature.Status(self.VERDICTS[verdict]).label
        self.message_user(
            request, _("“%(signature)s”: %(status)s.") % {"signature": signature, "status": label}
        )
        return redirect("admin:pledges_commenttoreview_changelist")

    country_name = SignatureAdmin.country_name

    @admin.display(description=_("review"))
    def verdict_buttons(self, signature):
        # Buttons of the changelist's own form (which carries the CSRF token),
        # each posting to its verdict's address: forms cannot nest.
        return format_html(
            '<button type="submit" class="button" formaction="{}">{}</button> '
            '<button type="submit" class="button" formaction="{}">{}</button>',
            reverse("admin:pledges_commenttoreview_verdict", args=[signature.pk, "approve"]),
            _("Approve"),
            reverse("admin:pledges_commenttoreview_verdict", args=[signature.pk, "hide"]),
            _("Hide"),
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # Whoever may moderate signatures may work the queue.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("pledges.view_signature")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("pledges.change_signature")

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(BlockedDomain)
class BlockedDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "reason", "created_at"]
    search_fields = ["domain", "reason"]


class SignatureFiguresAdmin(ReadOnlyAdmin):
    """Figures about the signatures, made by the site alone and naming nobody:
    whoever may see the signatures may see them (moderators included)."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("pledges.view_signature")

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(SourceTally)
class SourceTallyAdmin(SignatureFiguresAdmin):
    """Where a letter's signers come from and how many confirm, per source and
    per day: a report (pledges/funnel.py keeps the counts), a chart and a
    table, and the same as CSV. Nothing here names a person."""

    def get_urls(self):
        return [
            path("", self.admin_site.admin_view(self.figures_view), name=self._url_name()),
        ]

    def _url_name(self):
        return f"{self.opts.app_label}_{self.opts.model_name}_changelist"

    def figures_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        campaigns = list(Campaign.objects.order_by("-is_featured", "-published_at", "title"))
        campaign = next(
            (c for c in campaigns if str(c.pk) == request.GET.get("campaign")),
            campaigns[0] if campaigns else None,
        )
        source = request.GET.get("source")
        per_source, per_day = funnel.campaign_figures(campaign, source) if campaign else ([], [])
        if request.GET.get("format") == "csv" and campaign:
            return _figures_csv(campaign, funnel.campaign_figures(campaign)[1])
        descriptions = dict(SourceCode.objects.values_list("code", "description"))
        source_bars, source_height = charts.funnel_bars(
            [(f.label, f.signed, f.confirmed) for f in per_source]
        )
        # Per day: the chosen source's, or every source's together.
        days = per_day if source is not None else funnel.every_source_per_day(per_day)
        day_bars, day_height = charts.funnel_bars(
            [(date_format(f.day, "j M Y"), f.signed, f.confirmed) for f in days], limit=60
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Sources: signatures and confirmations"),
            "campaigns": campaigns,
            "campaign": campaign,
            "source": source,
            "source_label": funnel.source_label(source) if source is not None else None,
            "per_source": [(f, descriptions.get(f.source, "")) for f in per_source],
            "per_day": per_day,
            "source_bars": source_bars,
            "source_height": source_height,
            "day_bars": day_bars,
            "day_height": day_height,
            "chart_width": charts.CHART_WIDTH,
        }
        return TemplateResponse(request, "admin/pledges/sourcetally/figures.html", context)


def _figures_csv(campaign, per_day):
    """The figures per day and source, as a spreadsheet opens them."""
    lines = [["letter", "day", "source", "signatures", "confirmed", "confirmation_rate"]]
    lines += [
        [
            campaign.slug,
            f.day.isoformat(),
            f.source,
            f.signed,
            f.confirmed,
            "" if f.rate is None else f"{f.rate:.3f}",
        ]
        for f in sorted(per_day, key=lambda f: (f.day, f.source))
    ]
    filename = f"sources-{campaign.slug}-{timezone.now():%Y%m%d-%H%M%S}.csv"
    return StreamingHttpResponse(
        csv_rows(lines),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@admin.register(EmailTally)
class EmailTallyAdmin(SignatureFiguresAdmin):
    """Per letter, its emails of each kind: how many left, and what the email
    service reported of them (its webhook: pledges/delivery.py). Plain SMTP
    reports nothing back: delivered, bounced and complained stay at 0 there."""

    list_display = [
        "campaign",
        "kind",
        "sent",
        "delivered",
        "bounced",
        "bounce_rate",
        "complained",
        "complaint_rate",
    ]
    list_filter = ["campaign", "kind"]
    list_select_related = ["campaign"]
    ordering = ["campaign", "kind"]

    @admin.display(description=_("bounce rate"))
    def bounce_rate(self, tally):
        return _rate(tally.bounced, tally.sent)

    # Large mailbox providers refuse a sender above 0.3%.
    @admin.display(description=_("complaint rate"))
    def complaint_rate(self, tally):
        return _rate(tally.complained, tally.sent)


def _rate(part, whole):
    return f"{100 * part / whole:.2f}%" if whole else "-"


@admin.register(SuppressedAddress)
class SuppressedAddressAdmin(admin.ModelAdmin):
    """The addresses no email goes to, as keyed hashes: found by typing the
    address in the search box (it is hashed the same way), lifted by
    deleting the entry (its owner asked, the bounce was the provider's fault)."""

    list_display = ["__str__", "reason", "suppressed_at", "expires_at"]
    list_filter = ["reason"]
    search_fields = ["address_key"]
    search_help_text = _("Type the whole email address: it is looked up by its keyed hash.")
    ordering = ["-suppressed_at"]
    readonly_fields = ["address_key", "reason", "suppressed_at", "expires_at"]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(address_key=address_key(term)), False

    def has_add_permission(self, request):
        return False  # entries come from the email service's reports

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SignatureLog)
class SignatureLogAdmin(SignatureFiguresAdmin):
    """Each letter's public log, as its figures (README, "Check the count
    yourself"): what it counts against the letter's kept count. Entries are
    appended by the site alone, and never edited."""

    list_display = [
        "campaign",
        "size",
        "tree_size",
        "adds",
        "removes",
        "restores",
        "log_count",
        "kept_count",
        "started_at",
    ]
    list_select_related = ["campaign"]

    @admin.display(description=_("count in the log"))
    def log_count(self, signature_log):
        return signature_log.count

    @admin.display(description=_("count kept"))
    def kept_count(self, signature_log):
        return signature_log.campaign.signature_total

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaign.models import Campaign, SourceCode, SourceCodeQuerySet
from campaign.templatetags.campaign_tags import with_source
from timesup.infrastructure.admin_site import log_change
from timesup.infrastructure.site_address import absolute_url


class TextWithLineBreaks(forms.CharField):
    """A long text as the browser sends it (lines end in CR LF), stored as
    written (LF): a text nobody edited is then unchanged, and the admin's log
    records only the fields that really changed."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "is_published",
        "is_featured",
        "signing_open",
        "signature_total",
        "signature_goal",
    ]
    list_filter = ["is_featured", "signing_open", ("published_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.TextField: {"form_class": TextWithLineBreaks},
    }
    readonly_fields = ["published_at"]
    actions = ["publish", "feature", "open_signing", "close_signing"]
    # Each text with its Spanish version beside it; a blank translation shows
    # the English text on Spanish pages.
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("title", "title_es"),
                    "slug",
                    "published_at",
                    "is_featured",
                    "signing_open",
                ]
            },
        ),
        (
            _("Texts"),
            {
                "fields": [
                    ("statement", "statement_es"),
                    ("letter_text", "letter_text_es"),
                    "hashtag",
                ]
            },
        ),
        (_("Sharing"), {"fields": [("share_text", "share_text_es")]}),
        (_("Donations"), {"fields": [("donation_label", "donation_label_es"), "donation_url"]}),
        (_("Goal"), {"fields": ["signature_goal"]}),
    ]

    @admin.display(description=_("published"), boolean=True, ordering="published_at")
    def is_published(self, campaign):
        return not campaign.is_draft

    def view_on_site(self, campaign):
        # A draft has no public page: "View on site" previews it.
        if campaign.is_draft:
            return reverse("campaign:preview", args=[campaign.slug])
        return campaign.get_absolute_url()

    def render_change_form(self, request, context, add=False, change=False, **kwargs):
        campaign = context.get("original")
        if campaign is not None:
            context["embed_snippet"] = campaign.embed_snippet(
                request.build_absolute_uri(reverse("partners:embed-campaign", args=[campaign.slug]))
            )
        return super().render_change_form(request, context, add, change, **kwargs)

    # Each action changes the letters it is run on: it needs the change
    # permission (a viewer may preview drafts, not publish or close them),
    # and is logged as an edit would be.
    @admin.action(description=_("Publish the selected drafts"), permissions=["change"])
    def publish(self, request, queryset):
        log_change(request, list(queryset.filter(published_at__isnull=True)), "Published")
        published = queryset.publish()
        self.message_user(
            request,
            ngettext(
                "%d letter published: it has its public page, and can be signed.",
                "%d letters published: each has its public page, and can be signed.",
                published,
            )
            % published,
        )

    @admin.action(
        description=_("Feature the selected campaign (served at the home page)"),
        permissions=["change"],
    )
    def feature(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one campaign to feature."), messages.ERROR)
            return
        campaign = queryset.get()
        try:
            campaign.feature()
        except ValidationError as refused:
            self.message_user(request, refused.messages[0], messages.ERROR)
            return
        log_change(request, [campaign], "Featured (served at the home page)")
        self.message_user(request, _("“%s” is now the featured campaign.") % campaign)

    @admin.action(description=_("Open signing"), permissions=["change"])
    def open_signing(self, request, queryset):
        log_change(request, list(queryset.filter(signing_open=False)), "Opened signing")
        updated = queryset.open_signing()
        self.message_user(
            request, ngettext("%d campaign opened.", "%d campaigns opened.", updated) % updated
        )

    @admin.action(description=_("Close signing"), permissions=["change"])
    def close_signing(self, request, queryset):
        log_change(request, list(queryset.filter(signing_open=True)), "Closed signing")
        updated = queryset.close_signing()
        self.message_user(
            request, ngettext("%d campaign closed.", "%d campaigns closed.", updated) % updated
        )


@admin.register(SourceCode)
class SourceCodeAdmin(admin.ModelAdmin):
    """Codes of staff's own for the links they give out (a newsletter, a
    partner): signatures through them are credited to them in "Sources"."""

    list_display = ["code", "description", "link", "created_at"]
    search_fields = ["code", "description"]

    def get_readonly_fields(self, request, obj=None):
        # A code already given out is in links that people keep: not renamed.
        return ["code"] if obj else []

    @admin.display(description=_("link to give out (the featured letter)"))
    def link(self, source_code):
        # The featured letter's page is the site's root: no query per row.
        return with_source(absolute_url(reverse("campaign:home")), source_code.code)

    def delete_queryset(self, request, queryset):
        # The list's bulk delete skips each row's delete(): forget here too.
        super().delete_queryset(request, queryset)
        SourceCodeQuerySet.forget()

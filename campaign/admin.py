from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaign.models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "is_featured", "signing_open", "signature_total", "signature_goal"]
    list_filter = ["is_featured", "signing_open"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["feature", "open_signing", "close_signing"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "is_featured", "signing_open", "signature_goal"]}),
        (_("Texts"), {"fields": ["statement", "letter", "hashtag"]}),
        (_("Donations"), {"fields": ["donation_label", "donation_url"]}),
    ]

    @admin.action(description=_("Feature the selected campaign (served at the home page)"))
    def feature(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one campaign to feature."), messages.ERROR)
            return
        campaign = queryset.get()
        campaign.feature()
        self.message_user(request, _("“%s” is now the featured campaign.") % campaign)

    @admin.action(description=_("Open signing"))
    def open_signing(self, request, queryset):
        updated = queryset.open_signing()
        self.message_user(
            request, ngettext("%d campaign opened.", "%d campaigns opened.", updated) % updated
        )

    @admin.action(description=_("Close signing"))
    def close_signing(self, request, queryset):
        updated = queryset.close_signing()
        self.message_user(
            request, ngettext("%d campaign closed.", "%d campaigns closed.", updated) % updated
        )

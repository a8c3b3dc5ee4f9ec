from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign
from pledges.models.update import Update
from pledges.updates import mail, services
from timesup.infrastructure.admin_site import log_change


@admin.register(Update)
class UpdateAdmin(admin.ModelAdmin):
    """Updates to a letter's signers: written and previewed here, tested on
    oneself, then sent (by the worker, a batch a minute) with an action."""

    list_display = ["subject", "campaign", "state", "progress", "created_at"]
    list_filter = ["state", "campaign"]
    list_select_related = ["campaign"]
    search_fields = ["subject"]
    fields = ["campaign", ("subject", "subject_es"), ("body", "body_es")]
    actions = ["send_to_signers", "pause_sending", "resume_sending", "send_test_to_me"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 14})}}

    def get_queryset(self, request):
        # Whether each is stalled, in the list's own query (the progress column).
        return super().get_queryset(request).with_stalled()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "campaign":
            kwargs["queryset"] = Campaign.objects.published()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Once sending starts, the words are those the recipients got.
        if obj is not None and not obj.is_draft:
            return ["campaign", "subject", "subject_es", "body", "body_es"]
        return []

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def render_change_form(self, request, context, add=False, change=False, **kwargs):
        update = context.get("original")
        if update is not None:
            context["previews"] = [
                (name, mail.update_email(update, to=request.user.email, language=code))
                for code, name in settings.LANGUAGES
            ]
            if update.is_draft:
                context["recipients_now"] = update.recipients().count()
        return super().render_change_form(request, context, add, change, **kwargs)

    @admin.display(description=_("sent"))
    def progress(self, update):
        if update.state == Update.State.DRAFT:
            return None  # the admin's "-"
        progress = f"{update.sent_count:,} / {update.recipient_total:,}"
        if update.is_stalled:
            return _("%(progress)s: stalled, no batch for minutes (its worker stopped?)") % {
                "progress": progress
            }
        return progress

    def has_send_permission(self, request):
        return request.user.has_perm("pledges.send_update")

    @admin.action(description=_("Send the selected update to its signers"), permissions=["send"])
    def send_to_signers(self, request, queryset):
        """Asks first, as deleting does: how many signers each update will
        reach, and its subject in each language; sends after the second click."""
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                "admin/pledges/update/send_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Send this update to its signers?"),
                    "opts": self.model._meta,
                    "updates": [
                        {
                            "update": update,
                            "recipients": update.recipients().count() if update.is_draft else None,
                            "subjects": [
                                (name, update.subject_in(code)) for code, name in settings.LANGUAGES
                            ],
                        }
                        for update in queryset.select_related("campaign")
                    ],
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        for update in queryset:
            if services.start_sending_update(update):
                log_change(request, [update], "Started sending to its signers")
                self.message_user(
                    request,
                    _("“%s” is being sent: the worker sends it a batch a minute.") % update,
                )
            else:
                self.message_user(
                    request,
                    _("“%s” was sent already (or is being sent): nothing done.") % update,
                    messages.WARNING,
                )
        return None

    @admin.action(description=_("Pause sending"), permissions=["send"])
    def pause_sending(self, request, queryset):
        for update in queryset:
            if services.pause_update(update):
                log_change(request, [update], "Paused sending")
                self.message_user(request, _("“%s” paused after its current batch.") % update)
            else:
                self.message_user(request, _("“%s” was not being sent.") % update, messages.WARNING)

    @admin.action(description=_("Resume sending"), permissions=["send"])
    def resume_sending(self, request, queryset):
        for update in queryset:
            if services.resume_update(update):
                log_change(request, [update], "Resumed sending")
                self.message_user(
                    request, _("“%s”: sending goes on, to those not sent to yet.") % update
                )
            else:
                self.message_user(
                    request,
                    _("“%s” is being sent (or is not paused): nothing done.") % update,
                    messages.WARNING,
                )

    @admin.action(description=_("Send me a test of the selected update"), permissions=["change"])
    def send_test_to_me(self, request, queryset):
        if not request.user.email:
            self.message_user(
                request,
                _("Your account has no email address: add one under “Users” first."),
                messages.ERROR,
            )
            return
        for update in queryset:
            for code, _name in settings.LANGUAGES:
                services.send_test_of_update(update, request.user.email, code)
            log_change(request, [update], "Sent a test to the staff member's own address")
        self.message_user(
            request,
            _("A test in each language is on its way to %(address)s.")
            % {"address": request.user.email},
        )

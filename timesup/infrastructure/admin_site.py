"""The admin site: Django's, asking for a one-time code too when ADMIN_REQUIRE_2FA is on."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from django_otp.admin import OTPAdminSite


class CodeInput(forms.TextInput):
    """A one-time code's box, empty again when the form comes back: a used
    code is no use, and the page must not differ by what was typed."""

    def format_value(self, value):
        return None


class TwoFactorLoginForm(AdminAuthenticationForm):
    """Username, password and code in one step, with one answer for any of them wrong.

    django-otp's own admin form checks the password first and then asks for a
    code ("Please enter your OTP token"), which tells whoever is guessing that
    the password was right. Here a wrong code is refused like a wrong
    password, with the same page, and counted like one by the lockout
    (django-axes listens for `user_login_failed`)."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app:"),
        required=False,
        max_length=16,
        widget=CodeInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter the correct %(username)s, password and code for a staff "
            "account. Note that the username and password may be case-sensitive."
        ),
    }

    def clean(self):
        cleaned_data = super().clean()  # the password; a wrong one raises invalid_login
        user = self.get_user()
        device = match_token(user, cleaned_data.get("otp_token") or "") if user else None
        if device is None:
            user_login_failed.send(
                sender=__name__,
                credentials={"username": cleaned_data.get("username")},
                request=self.request,
            )
            self.user_cache = None
            raise self.get_invalid_login_error()
        user.otp_device = device  # django-otp marks the session verified on login
        return cleaned_data


class TimesUpAdminSite(OTPAdminSite):
    """Django's admin, with a two-factor login when the setting asks for it,
    and Django's own log of staff changes shown read-only (ModerationLogAdmin).

    Read at each request rather than once at start-up, so the setting can be
    switched (and tested) without a different URLconf.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register(LogEntry, ModerationLogAdmin)

    site_header = "Time's Up: moderation"
    site_title = "Time's Up admin"
    # What moderators use, first; the machinery (lockouts, devices, tasks) after.
    APPS_FIRST = ["pledges", "campaign"]
    MODELS_FIRST = ["Signature", "CommentToReview"]

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        apps.sort(key=lambda app: (_place(self.APPS_FIRST, app["app_label"]), app["name"]))
        for app in apps:
            app["models"].sort(
                key=lambda m: (_place(self.MODELS_FIRST, m["object_name"]), m["name"])
            )
        return apps

    @property
    def login_form(self):
        return TwoFactorLoginForm if settings.ADMIN_REQUIRE_2FA else None

    @property
    def login_template(self):
        return "admin/login_two_factor.html" if settings.ADMIN_REQUIRE_2FA else None

    def has_permission(self, request):
        if settings.ADMIN_REQUIRE_2FA:
            return super().has_permission(request)  # staff, and verified by a device
        return AdminSite.has_permission(self, request)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record no one edits in the admin: made by the site alone."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ModerationLogAdmin(ReadOnlyAdmin):
    """Every change staff made in the admin, moderation actions included: read only."""

    list_display = ["action_time", "user", "content_type", "object_repr", "change_in_words"]
    list_filter = ["action_flag", "content_type", "user"]
    search_fields = ["object_repr", "change_message"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]

    @admin.display(description=_("change"))
    def change_in_words(self, entry):
        # Not the stored JSON ([{"changed": {"fields": …}}]): what it says.
        return entry.get_change_message()


def _place(first, name):
    """Where `name` goes: in the order of `first`, then everything else."""
    return first.index(name) if name in first else len(first)


def log_change(request, objects, message):
    """Keep who did what to `objects`, when, in Django's admin log, as an edit
    is kept: every admin action that changes something, or sends something
    out, calls this (shown under "Log entries" and in each object's history)."""
    if objects:
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=objects,
            action_flag=CHANGE,
            change_message=message,
            single_object=False,
        )


def guard_login_attempts_admin(site):
    """django-axes' list of login attempts, with its one action ("Clean up
    expired attempts", which deletes rows) asking for the delete permission:
    as axes ships it, any staff member who may view the list may run it."""
    from axes.admin import AccessAttemptAdmin
    from axes.models import AccessAttempt

    if not site.is_registered(AccessAttempt):
        return  # AXES_ENABLE_ADMIN off

    class GuardedAccessAttemptAdmin(AccessAttemptAdmin):
        @admin.action(description=_("Clean up expired attempts"), permissions=["delete"])
        def cleanup_expired_attempts(self, request, queryset):
            return AccessAttemptAdmin.cleanup_expired_attempts(self, request, queryset)

    site.unregister(AccessAttempt)
    site.register(AccessAttempt, GuardedAccessAttemptAdmin)

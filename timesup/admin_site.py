"""The admin site: Django's, asking for a one-time code too when ADMIN_REQUIRE_2FA is on."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django_otp.admin import OTPAdminSite


class TimesUpAdminSite(OTPAdminSite):
    """Django's admin, with django-otp's two-factor login when the setting asks for it.

    Read at each request rather than once at start-up, so the setting can be
    switched (and tested) without a different URLconf.
    """

    site_header = "Time's Up: moderation"
    site_title = "Time's Up admin"

    @property
    def login_form(self):
        return OTPAdminSite.login_form if settings.ADMIN_REQUIRE_2FA else None

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.ADMIN_REQUIRE_2FA else None

    def has_permission(self, request):
        if settings.ADMIN_REQUIRE_2FA:
            return super().has_permission(request)  # staff, and verified by a device
        return AdminSite.has_permission(self, request)

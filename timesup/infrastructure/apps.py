from django.contrib.admin.apps import AdminConfig


class TimesUpAdminConfig(AdminConfig):
    """Django's admin app, with our site (admin_site.py) as the default one, so
    that every app's @admin.register lands on it."""

    default_site = "timesup.infrastructure.admin_site.TimesUpAdminSite"

    def ready(self):
        super().ready()  # every app's admin module, django-axes' included
        from timesup.infrastructure import signed_mail, site_address  # noqa: F401 - register their checks
        from timesup.infrastructure.admin_site import guard_login_attempts_admin

        guard_login_attempts_admin(self.module.site)

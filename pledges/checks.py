"""System checks for the settings this app relies on (run at start and by `manage.py check`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register
from django.http.request import validate_host


@register
def site_url_is_served_here(app_configs, **kwargs):
    """Links in emails go to SITE_URL: a host the site refuses would break every one."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path:
        return [
            Error(
                f"SITE_URL must be a scheme and a host, like https://letter.example.org "
                f"(it is {settings.SITE_URL!r}).",
                id="pledges.E001",
            )
        ]
    if not validate_host(parts.hostname, settings.ALLOWED_HOSTS):
        return [
            Error(
                f"SITE_URL's host {parts.hostname!r} is not in ALLOWED_HOSTS: the links "
                "in emails would be refused.",
                id="pledges.E002",
            )
        ]
    return []

"""The site's own address, SITE_URL: the one source of every absolute URL it
writes (links in emails, share links, Open Graph tags, the widget's embed
snippet), as healthchecks builds them from SITE_ROOT. Not the request's Host
header: a worker sending emails has no request, and a page kept in a shared
cache must not carry the host of whoever asked first."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.checks import Error, register
from django.http.request import validate_host
from django.urls import reverse


def absolute_url(path):
    """`path` (from reverse() or static()) on the site's address."""
    return settings.SITE_URL + path


def absolute_reverse(viewname, args=None, kwargs=None):
    return absolute_url(reverse(viewname, args=args, kwargs=kwargs))


@register
def site_url_is_served_here(app_configs, **kwargs):
    """Every absolute link goes to SITE_URL: a host the site refuses would break every one."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path:
        return [
            Error(
                f"SITE_URL must be a scheme and a host, like https://letter.example.org "
                f"(it is {settings.SITE_URL!r}).",
                id="timesup.E001",
            )
        ]
    if not validate_host(parts.hostname, settings.ALLOWED_HOSTS):
        return [
            Error(
                f"SITE_URL's host {parts.hostname!r} is not in ALLOWED_HOSTS: the links "
                "in emails would be refused.",
                id="timesup.E002",
            )
        ]
    return []


@register(deploy=True)
def site_operator_is_named(app_configs, **kwargs):
    """The privacy notice names who runs the site (SITE_OPERATOR), as the law asks."""
    if settings.SITE_OPERATOR.strip() or settings.DEBUG:
        return []
    return [
        checks.Warning(
            "SITE_OPERATOR is not set: the privacy notice cannot name who runs the site.",
            hint="Set SITE_OPERATOR (and SITE_OPERATOR_CONTACT) as .env.example shows.",
            id="timesup.W001",
        )
    ]

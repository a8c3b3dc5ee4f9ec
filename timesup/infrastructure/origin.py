"""Cross-site request forgery, stopped by what the browser says of a request's origin.

The signing form is served from the page cache (timesup/infrastructure/caching.py), the same
copy to every visitor, so it cannot carry Django's per-visitor CSRF token.
Its POST is checked instead by the headers every current browser sends and
no page on another site can forge: Sec-Fetch-Site (all major browsers since
2023), else Origin (since 2020). Under HTTPS, a request with neither must have
a Referer on this site, as Django's own CSRF check requires; over plain HTTP
(`make run`), as in Django, it passes. This is the check Go's standard library
adopted in 1.25 (net/http CrossOriginProtection); the form stays anonymous, so
no session is at stake.
"""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import get_callable
from django.views.decorators.csrf import csrf_exempt

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def require_same_origin(view):
    """Refuse a POST to `view` unless it comes from one of the site's own pages;
    the answer is the CSRF failure page (403), as for Django's own check."""

    @csrf_exempt
    @wraps(view)
    def checked_view(request, *args, **kwargs):
        # The test client's switch for Django's CSRF check turns this one off too.
        enforce = not getattr(request, "_dont_enforce_csrf_checks", False)
        if enforce and request.method not in SAFE_METHODS and not is_same_origin(request):
            return get_callable(settings.CSRF_FAILURE_VIEW)(request, reason="cross-origin")
        return view(request, *args, **kwargs)

    return checked_view


def is_same_origin(request):
    ours = {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        # "none": typed or bookmarked by the person, never sent by another page.
        return fetch_site in {"same-origin", "none"}
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin in ours
    referer = request.headers.get("Referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}" in ours
    return not request.is_secure()

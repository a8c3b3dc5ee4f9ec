"""Whole-page caching for the public pages every visitor reloads."""

from functools import wraps

from django.conf import settings
from django.views.decorators.cache import cache_page


def cache_public_page(view):
    """Cache the view's page for PAGE_CACHE_SECONDS (read at each request, so
    it can be changed without a restart of the URLconf, and off in tests)."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds:
            return view(request, *args, **kwargs)
        return cache_page(seconds)(view)(request, *args, **kwargs)

    return cached_view

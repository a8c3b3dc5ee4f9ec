"""Cross-Origin-Resource-Policy: who may load this site's responses into theirs.

`same-origin` everywhere (pages, static files), so that no other site can pull
our pages or files into its own as images, scripts or frames of a page that
isolates itself; `cross-origin` only where partners are meant to (the widget
and the JSON API), which mark themselves with `@shared_with_other_sites`.
Django 5.2 has no setting for it.

Those answers are also in the language the reader's browser asks for
(Accept-Language, which they vary on and the page cache keys on), never in
the one this site's language cookie names: a kept copy must depend only on
what its key holds, or one reader's cookie would choose the language of the
copies served to everyone after.
"""

import copy
from functools import wraps

from django.conf import settings
from django.utils import translation

HEADER = "Cross-Origin-Resource-Policy"


class ResourcePolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(HEADER, "same-origin")
        return response


def shared_with_other_sites(view):
    @wraps(view)
    def shared_view(request, *args, **kwargs):
        language = _browser_language(request)
        with translation.override(language):
            response = view(request, *args, **kwargs)
        response[HEADER] = "cross-origin"
        response["Content-Language"] = language
        return response

    return shared_view


def _browser_language(request):
    """The language Accept-Language asks for, whatever the cookie says."""
    without_cookies = copy.copy(request)
    without_cookies.COOKIES = {
        name: value
        for name, value in request.COOKIES.items()
        if name != settings.LANGUAGE_COOKIE_NAME
    }
    return translation.get_language_from_request(without_cookies)

"""Cross-Origin-Resource-Policy: who may load this site's responses into theirs.

`same-origin` everywhere (pages, static files), so that no other site can pull
our pages or files into its own as images, scripts or frames of a page that
isolates itself; `cross-origin` only where partners are meant to (the widget
and the JSON API), which mark themselves with `@shared_with_other_sites`.
Django 5.2 has no setting for it.
"""

from functools import wraps

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
        response = view(request, *args, **kwargs)
        response[HEADER] = "cross-origin"
        return response

    return shared_view

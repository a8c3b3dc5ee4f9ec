"""Request bodies refused before anything reads them.

Nothing on this site takes more than a form's worth of text: no page uploads
a file. Django caps the form data it parses (DATA_UPLOAD_MAX_MEMORY_SIZE), but
only once it reads the body, and a multipart body is first spooled to disk:
a 50 MB upload was written to /tmp before the CSRF check refused it. And a
form declared in another charset than UTF-8 makes Django raise BadRequest
wherever the body is first read, inside the CSRF check, where it became a 500.

This middleware, first in the stack, looks only at the headers.
"""

from django.conf import settings
from django.shortcuts import render

# The encodings a browser may declare for a form body that Django reads as
# UTF-8 (ASCII is a subset of it).
_UTF8_NAMES = {"utf-8", "utf8", "us-ascii", "ascii"}
_FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class RequestBodyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.refusal(request) or self.get_response(request)

    @staticmethod
    def refusal(request):
        """The answer to a body the site will not read, or None."""
        if not request.META.get("CONTENT_LENGTH") and not request.META.get("CONTENT_TYPE"):
            return None  # every GET
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body then
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return render(request, "413.html", status=413)
        if (
            request.content_type in _FORM_TYPES
            and request.content_params.get("charset", "utf-8").lower() not in _UTF8_NAMES
        ):
            return render(request, "400.html", status=400)
        return None

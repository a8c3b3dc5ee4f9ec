"""Whole public pages, served from memory before the rest of the middleware runs.

On the busiest day nearly every request is for one of a few public pages that
are the same for every visitor: the campaign page, the signing form, the wall.
A view marks its page with @cache_public_page; PublicPageCacheMiddleware, first
of all middleware, keeps each such page whole (status, headers, body) in this
process's memory for PAGE_CACHE_SECONDS and answers from there, without
security headers, sessions, CSRF, language, CSP and the rest of the stack
running again (their headers are in the kept copy). In this process's memory,
not the shared cache: a page a few seconds old is fine on every host, and
reading it from Redis cost more than rendering it. A plain dict, not Django's
LocMemCache: a kept page is never changed, so it needs no copy by pickling
on each read.

First even before SecurityMiddleware's redirect to HTTPS: the key holds the
scheme, and only pages answered over HTTPS were kept, so a plain-HTTP request
finds nothing and goes on to be redirected.

A page may have holes: parts that differ for each visitor (the signing form's
fill-time token). A hole is a function of the request; the page carries its
marker (page_hole()), and every copy served, from the cache or fresh, has
each marker replaced by what the function returns for that request.

A page is kept only if it is for everyone alike: a 200 answer to GET or HEAD
that sets no cookie and does not vary on cookies. Pages that vary on another
header (the widget and the API, on Accept-Language) are kept once per value.
"""

import threading
import time
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers, cc_delim_re, patch_cache_control
from django.utils.safestring import mark_safe


class PageStore:
    """Pages kept in this process, each until its time is up; a few hundred at most.

    When a page's time is up, the first thread to ask renders it afresh while
    the others are still given the copy kept, for a little longer: otherwise
    every thread of the worker rendered the same page at once, the slowest
    answers of the wall took three to six times the minimal Django's
    (`make bench`, p99)."""

    MAX_PAGES = 500
    # A copy past its time is given out only this many times its life longer.
    STALE_FOR = 5

    def __init__(self):
        self._pages = {}  # key: (fresh until, given until, value); dict operations are atomic
        self._rendering = set()
        self._lock = threading.Lock()

    def get(self, key):
        """The value kept, or None, which tells the caller to render it (and set it)."""
        kept = self._pages.get(key)
        if kept is None:
            return None
        fresh_until, given_until, value = kept
        now = time.monotonic()
        if now < fresh_until:
            return value
        with self._lock:
            if key not in self._rendering:
                self._rendering.add(key)  # this caller renders it; set() ends that
                return None
        return value if now < given_until else None

    def set(self, key, value, seconds):
        if len(self._pages) >= self.MAX_PAGES:
            self.clear()  # the rare flood of new addresses (wall cursors): start again
        now = time.monotonic()
        self._pages[key] = (now + seconds, now + seconds * (1 + self.STALE_FOR), value)
        self.done_rendering(key)

    def done_rendering(self, key):
        with self._lock:
            self._rendering.discard(key)

    def clear(self):
        self._pages = {}
        with self._lock:
            self._rendering = set()


pages = PageStore()


def page_hole(function):
    """The marker a template puts where `function(request)` goes, in every copy."""
    # Safe: made of a function's module and name, nothing a visitor typed.
    return mark_safe(f"<!--page-hole:{function.__module__}.{function.__qualname__}-->")  # noqa: S308


def cache_public_page(view=None, *, holes=(), browser_may_keep=True):
    """Mark the view's pages as public: the same for every visitor but for `holes`.

    browser_may_keep: browsers and proxies may keep the page as long as we do
    (Cache-Control: max-age), unless the view set a max-age of its own (the
    API's is STATS_CACHE_SECONDS); otherwise they are told to keep none of it
    (a form a person fills in must not come back from a shared proxy)."""

    def decorator(view):
        @wraps(view)
        def public_view(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.public_page_holes = tuple(holes)
            if not browser_may_keep:
                add_never_cache_headers(response)
            elif (
                settings.PAGE_CACHE_SECONDS
                and response.status_code == 200
                and "max-age" not in response.get("Cache-Control", "")
            ):
                patch_cache_control(response, max_age=settings.PAGE_CACHE_SECONDS)
            return response

        return public_view

    return decorator(view) if view is not None else decorator


class CachedPage:
    """A page as the cache keeps it: its status, headers and body cut at its holes."""

    def __init__(self, response, holes):
        self.status = response.status_code
        self.headers = [(k, v) for k, v in response.items() if k != "Content-Length"]
        self.holes = holes
        self.parts = [response.content]
        for hole in holes:
            marker = page_hole(hole).encode()
            self.parts = [piece for part in self.parts for piece in _split_keep(part, marker)]

    def response_for(self, request):
        if len(self.parts) > 1:
            fillings = {page_hole(hole).encode(): hole(request).encode() for hole in self.holes}
            content = b"".join(fillings.get(part, part) for part in self.parts)
        else:
            content = self.parts[0]
        response = HttpResponse(content, status=self.status, headers=dict(self.headers))
        response["Content-Length"] = str(len(content))
        return response


def _split_keep(content, marker):
    pieces = content.split(marker)
    out = [pieces[0]]
    for piece in pieces[1:]:
        out += [marker, piece]
    return out


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0 or request.method not in ("GET", "HEAD"):
            return _fill_holes(request, self.get_response(request))
        # As the client sent it: a host the site refuses never had a page kept.
        meta = request.META
        address = (
            f"{request.scheme}://{meta.get('HTTP_HOST', '')}"
            f"{meta.get('PATH_INFO', '')}?{meta.get('QUERY_STRING', '')}"
        )
        vary = pages.get(address)
        key = _page_key(address, vary, request) if vary is not None else None
        page = pages.get(key) if key is not None else None
        if page is not None:
            return page.response_for(request)
        try:
            response = self.get_response(request)
            holes = getattr(response, "public_page_holes", None)
            if holes is not None and _for_everyone(response):
                vary = tuple(sorted(_vary_headers(response)))
                # Which headers a page varies on changes only with the code.
                pages.set(address, vary, seconds * 10)
                pages.set(_page_key(address, vary, request), CachedPage(response, holes), seconds)
        finally:
            # Rendered and kept, or not to be kept (an error, a redirect): either
            # way the next request past the page's time may render it.
            pages.done_rendering(address)
            if key is not None:
                pages.done_rendering(key)
        return _fill_holes(request, response)


def _fill_holes(request, response):
    """Each hole's marker replaced by what its function says for this request."""
    holes = getattr(response, "public_page_holes", ())
    if not holes or response.streaming:
        return response
    content = response.content
    for hole in holes:
        marker = page_hole(hole).encode()
        if marker in content:  # not in a redirect, say
            content = content.replace(marker, hole(request).encode())
    response.content = content
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(content))
    return response


def _for_everyone(response):
    # A page that used a CSRF token or the session is never kept: Django then
    # sets the cookie again (CsrfViewMiddleware renews it whenever get_token()
    # was called) or varies on Cookie, and either stops it here.
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "cookie" not in _vary_headers(response)
    )


def _vary_headers(response):
    return {h.strip().lower() for h in cc_delim_re.split(response.get("Vary", "")) if h.strip()}


def _page_key(address, vary, request):
    """The address and the request's value of each header the page varies on."""
    return (address, *(request.META.get("HTTP_" + h.upper().replace("-", "_"), "") for h in vary))

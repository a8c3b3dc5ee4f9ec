"""Public pages: the same for every visitor, and said to be so.

On the busiest day nearly every request is for one of a few pages that are
the same for every visitor: the campaign page, the signing form, the wall. A
view marks its page with @cache_public_page, which tells any cache in front
in standard headers what it may do (`Cache-Control: public, max-age,
s-maxage, stale-while-revalidate`): nginx's microcache or a CDN then serves a
surge without reaching gunicorn (docs/deploy.md).

For a site with nothing in front (`make run`, a single host), the same pages
are kept whole in each process's memory by PublicPageCacheMiddleware, first
of all middleware, for PAGE_CACHE_SECONDS: a kept page is answered without
the rest of the middleware running again (its headers, CSP and security
ones included, are in the kept copy). In this process's memory, not the
shared cache: a page a few seconds old is fine on every host, and reading it
from Redis cost more than rendering it.

A page is kept only if it is for everyone alike: a 200 answer to GET or HEAD
that sets no cookie and does not vary on cookies. Pages that vary on another
header (the widget and the API, on Accept-Language) are kept once per value.
The key holds the scheme: under HTTPS, a plain-HTTP request is redirected
(a 301, never kept), so it never finds an HTTPS page.

The key holds only the query parameters the view reads, each as the view
normalises it (`@cache_public_page(query={"source": normalise})`): the
`fbclid` Facebook adds to every shared link, `utm_*` tags, or a made-up
`?source=` would otherwise make each visitor's address a page of its own,
rendered afresh and pushing the others out on the busiest day.
"""

import threading
import time
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers, cc_delim_re, patch_cache_control


def cache_public_page(view=None, *, query=None):
    """Mark the view's pages as public: the same for every visitor with the
    same values of the query parameters in `query` (a dict of each name and
    the function that normalises its value; the view must read no other).

    A 200 answer to GET or HEAD says so in its Cache-Control (unless the view
    set a max-age of its own: the API's is STATS_CACHE_SECONDS). The answer
    to a POST (a form sent back with what a person typed) is kept by no
    cache; any other (an error, a redirect) is left as the view made it, and
    never kept here."""
    if view is None:
        return lambda view: cache_public_page(view, query=query)
    query = tuple(sorted((query or {}).items()))

    @wraps(view)
    def public_view(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            add_never_cache_headers(response)
        elif response.status_code == 200:
            response.is_public_page = True
            response.page_query = query
            seconds = settings.PAGE_CACHE_SECONDS
            if seconds and "max-age" not in response.get("Cache-Control", ""):
                patch_cache_control(
                    response,
                    public=True,
                    max_age=seconds,
                    s_maxage=seconds,
                    stale_while_revalidate=settings.PAGE_STALE_SECONDS,
                )
        return response

    # The parameters a shared cache in front must key its copies on too
    # (deploy/nginx/timesup.conf's proxy_cache_key).
    public_view.page_query_names = tuple(name for name, _normalise in query)
    return public_view


class PageStore:
    """Pages kept in this process, each until its time is up; a few hundred at most.

    When a page's time is up, the first thread to ask renders it afresh while
    the others are still given the copy kept, for up to PAGE_STALE_SECONDS
    (as `stale-while-revalidate` lets a shared cache do): otherwise every
    thread of the worker rendered the same page at once, and the slowest
    answers of the wall took three to six times the minimal Django's
    (`make bench`, p99)."""

    MAX_PAGES = 500

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
        self._pages[key] = (now + seconds, now + seconds + settings.PAGE_STALE_SECONDS, value)
        self.done_rendering(key)

    def done_rendering(self, key):
        with self._lock:
            self._rendering.discard(key)

    def clear(self):
        self._pages = {}
        with self._lock:
            self._rendering = set()


pages = PageStore()


class CachedPage:
    """A page as the store keeps it: status, headers and body, never changed once kept."""

    def __init__(self, response):
        self.status = response.status_code
        self.headers = {k: v for k, v in response.items() if k != "Content-Length"}
        self.content = response.content

    def response(self):
        response = HttpResponse(self.content, status=self.status, headers=self.headers)
        response["Content-Length"] = str(len(self.content))
        return response


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0 or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        # As the client sent it: a host the site refuses never had a page kept.
        meta = request.META
        address = f"{request.scheme}://{meta.get('HTTP_HOST', '')}{meta.get('PATH_INFO', '')}"
        shape = pages.get(address)
        key = _page_key(address, shape, request) if shape is not None else None
        page = pages.get(key) if key is not None else None
        if page is not None:
            return page.response()
        try:
            response = self.get_response(request)
            if getattr(response, "is_public_page", False) and _for_everyone(response):
                # What a page varies on (headers, query parameters) changes
                # only with the code.
                shape = (tuple(sorted(_vary_headers(response))), response.page_query)
                pages.set(address, shape, seconds * 10)
                pages.set(_page_key(address, shape, request), CachedPage(response), seconds)
        finally:
            # Rendered and kept, or not to be kept (an error, a redirect): either
            # way the next request past the page's time may render it.
            pages.done_rendering(address)
            if key is not None:
                pages.done_rendering(key)
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


def _page_key(address, shape, request):
    """The address, the request's value of each header the page varies on,
    and of each query parameter it reads, normalised as the view does."""
    vary, query = shape
    headers = (request.META.get("HTTP_" + h.upper().replace("-", "_"), "") for h in vary)
    return (
        address,
        *headers,
        *(normalise(request.GET.get(name, "")) for name, normalise in query),
    )

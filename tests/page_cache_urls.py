"""A URLconf for tests/test_page_cache.py: a public page that (wrongly) uses a CSRF token."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from timesup.infrastructure.caching import cache_public_page


@cache_public_page
def page_with_a_token(request):
    return HttpResponse(f"<form><input name=csrfmiddlewaretoken value={get_token(request)}></form>")


urlpatterns = [path("token/", page_with_a_token)]

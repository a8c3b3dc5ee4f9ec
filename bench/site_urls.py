from django.http import HttpResponse
from django.urls import path

from timesup.urls import handler500  # noqa: F401
from timesup.urls import urlpatterns as site_urlpatterns


def bare(request):
    """A short response with no database and no template, inside our middleware."""
    return HttpResponse("ok\n", content_type="text/plain")


urlpatterns = [*site_urlpatterns, path("bench/bare/", bare)]

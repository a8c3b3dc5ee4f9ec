from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from timesup import health
from timesup.admin_site import TimesUpAdminSite

# The default site, so every app's @admin.register lands on it, with our class.
admin.site.__class__ = TimesUpAdminSite

urlpatterns = [
    path("", include("campaign.urls")),
    path("", include("pledges.urls")),
    path("healthz", health.healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
]

if settings.BENCH_REFERENCE_VIEW:
    # The benchmarks' yardstick: Django and our middleware, no database, no template.
    urlpatterns.append(path("bench/bare/", health.bare, name="bench-bare"))

handler500 = "timesup.errors.server_error"

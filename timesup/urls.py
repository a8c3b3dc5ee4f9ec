from django.contrib import admin
from django.urls import include, path

from timesup import health

urlpatterns = [
    path("", include("campaign.urls")),
    path("", include("pledges.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Time's Up: moderation"
admin.site.site_title = "Time's Up admin"

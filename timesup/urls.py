from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from timesup import health

# Pages for visitors, each under its language: /en/sign/, /es/sign/. A path
# without the prefix (a link typed or shared bare) redirects to the visitor's
# language, which LocaleMiddleware reads from the browser.
urlpatterns = i18n_patterns(
    path("", include("pledges.urls")),
)

# Outside the language prefix: machines (the health check, the JSON API), the
# admin, and the embeddable widget, whose address partners paste once and
# which answers in each reader's browser language.
urlpatterns += [
    path("healthz", health.healthz, name="healthz"),
    path("", include("pledges.partner_urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler500 = "timesup.errors.server_error"

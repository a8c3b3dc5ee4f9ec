from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponsePermanentRedirect
from django.urls import include, path

from timesup.infrastructure import health


def favicon(request):
    """/favicon.ico, which browsers and bots ask for at the root: the site's icon."""
    return HttpResponsePermanentRedirect(staticfiles_storage.url("img/favicon.svg"))


# Pages for visitors, each under its language: /en/sign/, /es/sign/. A path
# without the prefix (a link typed or shared bare) redirects to the visitor's
# language, which LocaleMiddleware reads from the browser.
urlpatterns = i18n_patterns(
    path("", include("campaign.urls")),
    path("", include("pledges.urls")),
    path("", include("pledges.updates.urls")),
)

# Outside the language prefix: machines (the health check, the JSON API), the
# admin, and the embeddable widget, whose address partners paste once and
# which answers in each reader's browser language.
urlpatterns += [
    path("healthz", health.healthz, name="healthz"),
    # Browsers and bots ask for it whatever the page says; the icon is an SVG.
    path("favicon.ico", favicon, name="favicon"),
    path("", include("pledges.partner_urls")),
    path("", include("pledges.log_urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

# The email service's webhook (bounces, complaints: pledges/delivery.py), only
# once its secret is set: without one, anymail would take anybody's post.
if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    urlpatterns += [path("email-events/", include("anymail.urls"))]

handler404 = "campaign.views.page_not_found"
handler500 = "timesup.infrastructure.errors.server_error"

"""The campaign's own pages: its statement (the site's home page), the list
of letters, and a draft's preview for staff. What they show of the
signatures (the count, featured voices) comes from pledges' template tags,
loaded by name in the templates: this app never imports pledges."""

from operator import attrgetter

from django.contrib.auth.decorators import permission_required
from django.db import DatabaseError
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from campaign.models import Campaign, SourceCode
from timesup.infrastructure.caching import cache_public_page


# One page per source code (a handful), whatever else the address carries.
@cache_public_page(query={"source": SourceCode.objects.normalise})
def home(request, slug=None):
    """The letter's page, with its form. A `?source=` code is carried to the
    signature (the form's hidden field) and to the page's share links, so
    that a chain of re-shares is credited to where it began."""
    campaign = get_object_or_404(Campaign.objects.for_page(slug))
    source = SourceCode.objects.normalise(request.GET.get("source"))
    return render(request, "campaign/home.html", {"campaign": campaign, "source": source})


@never_cache
@permission_required("campaign.view_campaign", login_url="admin:login")
def preview(request, slug):
    """A letter's page as visitors will see it, draft or not, for staff only."""
    campaign = get_object_or_404(Campaign, slug=slug)
    response = render(request, "campaign/home.html", {"campaign": campaign, "preview": True})
    response["X-Robots-Tag"] = "noindex"
    return response


@cache_public_page
def letters(request):
    """Every published letter: the open ones, then the closed ones with their final counts."""
    published = list(Campaign.objects.published().order_by("-published_at", "title"))
    return render(
        request,
        "campaign/letters.html",
        {
            "open_letters": [c for c in published if c.signing_open],
            "closed_letters": sorted(  # the most recently closed first
                (c for c in published if not c.signing_open),
                key=attrgetter("closed_at"),
                reverse=True,
            ),
        },
    )


def page_not_found(request, exception=None):
    """handler404: the site's own page, under the featured campaign's name."""
    try:
        campaign = Campaign.objects.featured().first()
    except DatabaseError:
        campaign = None  # the 404 page needs no database
    return render(request, "404.html", {"campaign": campaign}, status=404)

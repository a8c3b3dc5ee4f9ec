from csp.decorators import csp_replace
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_exempt

from campaign.models import Campaign
from pledges.statistics import signed_last_day
from timesup.caching import cache_public_page

# Featured voices on the campaign page: a handful, not a second wall.
FEATURED_VOICES_SHOWN = 12


@cache_public_page
def home(request):
    campaign = get_object_or_404(Campaign, is_featured=True)
    return render(
        request,
        "campaign/home.html",
        {
            **_progress_context(campaign),
            "voices": campaign.signatures.featured_voices()[:FEATURED_VOICES_SHOWN],
        },
    )


# The widget partners put in an iframe: the one page any site may frame.
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@cache_public_page
def embed(request, slug=None):
    campaigns = Campaign.objects.all()
    campaign = (
        get_object_or_404(campaigns, slug=slug)
        if slug
        else get_object_or_404(campaigns, is_featured=True)
    )
    return render(request, "campaign/embed.html", _progress_context(campaign))


def _progress_context(campaign):
    """The count, with the last day's signatures: how fast the letter is growing."""
    return {
        "campaign": campaign,
        "signature_count": campaign.signature_count(),
        "signed_last_day": signed_last_day(campaign),
    }

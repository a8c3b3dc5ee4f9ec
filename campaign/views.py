from django.shortcuts import get_object_or_404, render

from campaign.models import Campaign
from timesup.caching import cache_public_page


@cache_public_page
def home(request):
    campaign = get_object_or_404(Campaign, is_featured=True)
    return render(
        request,
        "campaign/home.html",
        {"campaign": campaign, "signature_count": campaign.signature_count()},
    )

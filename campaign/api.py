"""The read-only JSON API partners build on: one campaign's count and who signed, in numbers."""

from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from campaign.models import Campaign
from pledges.statistics import campaign_statistics, country_name, industry_name


@require_GET
def campaign_detail(request, slug):
    """GET /api/campaigns/<slug>/: names are in the reader's language (Accept-Language)."""
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        return JsonResponse({"error": f"No campaign has the slug “{slug}”."}, status=404)
    statistics = campaign_statistics(campaign)
    response = JsonResponse(
        {
            "slug": campaign.slug,
            "title": campaign.local_title,
            "hashtag": campaign.hashtag,
            "signing_open": campaign.signing_open,
            "count": campaign.signature_count(),
            "goal": campaign.signature_goal,
            "signatures_last_24_hours": statistics["last_24_hours"],
            "by_industry": [
                {"industry": code, "name": industry_name(code), "count": count}
                for code, count in statistics["by_industry"]
            ],
            "by_country": [
                {"country": code or None, "name": country_name(code), "count": count}
                for code, count in statistics["by_country"]
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )
    # Proxies and browsers may keep it as long as we keep the statistics.
    patch_cache_control(response, public=True, max_age=settings.STATS_CACHE_SECONDS)
    return response

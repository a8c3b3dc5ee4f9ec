"""The read-only JSON API partners build on: one campaign's count and who signed, in numbers."""

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from campaign.models import Campaign
from pledges.models import Checkpoint
from pledges.statistics import campaign_statistics, country_name, industry_name
from pledges.transparency import log
from timesup.infrastructure.caching import cache_public_page
from timesup.infrastructure.resource_policy import shared_with_other_sites
from timesup.infrastructure.site_address import absolute_url


@cache_public_page
@shared_with_other_sites
@require_safe
def campaign_detail(request, slug):
    """GET /api/campaigns/<slug>/: names are in the reader's language (Accept-Language).

    The answer is kept in the cache for STATS_CACHE_SECONDS, per language, and
    browsers and proxies may keep it as long: partners' pages may call it on
    every view of theirs, and then it costs no query here.
    """
    key = f"api-campaign:{slug}:{get_language()}"
    data = cache.get(key)
    if data is None:
        campaign = Campaign.objects.published().filter(slug=slug).first()
        if campaign is None:
            return JsonResponse({"error": f"No campaign has the slug “{slug}”."}, status=404)
        data = _campaign_data(campaign)
        if settings.STATS_CACHE_SECONDS:
            cache.set(key, data, settings.STATS_CACHE_SECONDS)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=settings.STATS_CACHE_SECONDS)
    return response


def _campaign_data(campaign):
    """Plain values only (names as str, not lazy translations): unpickling lazy
    strings from the cache cost 2 ms an answer."""
    statistics = campaign_statistics(campaign)
    return {
        "slug": campaign.slug,
        "title": campaign.local_title,
        "hashtag": campaign.hashtag,
        # The letter's page, where it is signed; its code credits the API's users.
        "url": absolute_url(campaign.page_url()) + "?source=api",
        "signing_open": campaign.signing_open,
        "count": campaign.signature_count(),
        "goal": campaign.signature_goal,
        "signatures_last_24_hours": statistics["last_24_hours"],
        "by_industry": [
            {"industry": code, "name": str(industry_name(code)), "count": count}
            for code, count in statistics["by_industry"]
        ],
        # Its public log: the checkpoint and tiles anyone can check the count
        # against (pledges/transparency/verify.py), and the count at its size.
        "log": _log_data(campaign),
        "by_country": [
            {"country": code or None, "name": str(country_name(code)), "count": count}
            for code, count in statistics["by_country"]
        ],
    }


def _log_data(campaign):
    latest = (
        Checkpoint.objects.filter(log__campaign=campaign).order_by("-size").values("size", "count")
    ).first()
    return {
        "origin": log.origin(campaign),
        "checkpoint": absolute_url(reverse("log:checkpoint", args=[campaign.slug])),
        # The tiles' base address: a tile's path (C2SP tlog-tiles) goes after it.
        "tiles": absolute_url(reverse("log:tile", args=[campaign.slug, "x"]).removesuffix("x")),
        "keys": absolute_url(reverse("log:keys")),
        "size": latest["size"] if latest else 0,
        "count": latest["count"] if latest else 0,
    }

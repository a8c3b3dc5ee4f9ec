"""Who has signed, in numbers: by industry, by country and by day.

Read from the tallies (SignatureTally), kept as signatures are confirmed and
withdrawn: a few hundred rows, whatever the number of signatures. Kept in the
cache for STATS_CACHE_SECONDS besides. The cache holds codes and numbers only;
names are put on in the reader's language.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from pledges.counting import hour_key
from pledges.models import Industry, SignatureTally

Dimension = SignatureTally.Dimension


def campaign_statistics(campaign):
    """{"by_industry": [(code, n)], "by_country": [(code, n)], "per_day": [(date, n)],
    "last_24_hours": n}, largest groups first, days in order. (The total is
    the campaign's own count, Campaign.signature_total, which every page shows.)"""
    key = f"campaign-statistics:{campaign.pk}"
    statistics = cache.get(key)
    if statistics is None:
        statistics = _from_tallies(campaign)
        if settings.STATS_CACHE_SECONDS:
            cache.set(key, statistics, settings.STATS_CACHE_SECONDS)
    return statistics


def _last_day_starts_after():
    """The hour key the last 24 hours' tallies come after. Counted by whole
    hours: the hour that began over 24 hours ago is left out, so every signature
    counted really is from the last 24 hours (the number never overstates)."""
    return hour_key(timezone.now() - timedelta(days=1))


def signed_last_day(campaign):
    """Signatures confirmed in the last 24 hours (see _last_day_starts_after)."""
    return campaign_statistics(campaign)["last_24_hours"]


def _from_tallies(campaign):
    tallies = defaultdict(list)
    for dimension, value, count in SignatureTally.objects.filter(
        campaign=campaign, count__gt=0
    ).values_list("dimension", "value", "count"):
        tallies[dimension].append((value, count))

    def largest_first(rows):
        return sorted(rows, key=lambda row: (-row[1], row[0]))

    # Hours into days, in the site's time zone (TIME_ZONE).
    per_day = defaultdict(int)
    day_ago = _last_day_starts_after()
    last_24_hours = 0
    for hour, count in tallies[Dimension.HOUR]:
        start = datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=UTC)
        per_day[timezone.localdate(start)] += count
        if hour > day_ago:
            last_24_hours += count
    return {
        "last_24_hours": last_24_hours,
        "by_industry": largest_first(tallies[Dimension.INDUSTRY]),
        "by_country": largest_first(tallies[Dimension.COUNTRY]),
        "per_day": sorted(per_day.items()),
    }


def industry_name(code):
    return Industry(code).label


def country_name(code):
    """The country's name in the active language; blank for signers who gave none."""
    return countries.name(code) if code else _("Not given")

"""Who has signed, in numbers: by industry, by country and by day.

Read from the tallies (SignatureTally), kept as signatures are confirmed and
withdrawn: a few hundred rows, whatever the number of signatures. Kept in the
cache for STATS_CACHE_SECONDS besides. The cache holds codes and numbers only;
names are put on in the reader's language.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from pledges.models import Industry, SignatureTally, hour_key

Dimension = SignatureTally.Dimension


def campaign_statistics(campaign):
    """{"by_industry": [(code, n)], "by_country": [(code, n)], "per_day": [(date, n)],
    "last_24_hours": n, "total": n}, largest groups first, days in order."""
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
    return (
        SignatureTally.objects.filter(
            campaign=campaign, dimension=Dimension.HOUR, value__gt=_last_day_starts_after()
        ).aggregate(total=Sum("count"))["total"]
        or 0
    )


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
    by_industry = largest_first(tallies[Dimension.INDUSTRY])
    return {
        "total": sum(count for _, count in by_industry),
        "last_24_hours": last_24_hours,
        "by_industry": by_industry,
        "by_country": largest_first(tallies[Dimension.COUNTRY]),
        "per_day": sorted(per_day.items()),
    }


def industry_name(code):
    return Industry(code).label


def country_name(code):
    """The country's name in the active language; blank for signers who gave none."""
    return countries.name(code) if code else _("Not given")


# Charts ---------------------------------------------------------------------
# Drawn as inline SVG on the server: readable without JavaScript, no chart
# library to download, and every number is also in a table beside the chart.

CHART_WIDTH = 400  # viewBox units; the SVG scales to the column's width
ROW_HEIGHT = 36
BAR_HEIGHT = 14
DAY_CHART_HEIGHT = 160


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float

    # Where a horizontal bar's label (above it) and number (after it) go.
    @property
    def label_y(self):
        return self.y - 4

    @property
    def value_x(self):
        return self.x + self.width + 6

    @property
    def value_y(self):
        return self.y + self.height - 2


def horizontal_bars(rows, limit=15):
    """One labelled bar per (label, value), longest first; `limit` bars at most.
    Returns (bars, height of the chart)."""
    rows = rows[:limit]
    largest = max((value for _, value in rows), default=0) or 1
    usable = CHART_WIDTH - 60  # room for the number after the longest bar
    bars = [
        Bar(
            label=label,
            value=value,
            x=0,
            y=index * ROW_HEIGHT + 18,
            width=max(value / largest * usable, 1),
            height=BAR_HEIGHT,
        )
        for index, (label, value) in enumerate(rows)
    ]
    return bars, len(bars) * ROW_HEIGHT


def day_bars(per_day):
    """One column per day from the first signature to the last (days without
    signatures too, so the time axis is true). Returns the bars."""
    if not per_day:
        return []
    counts = dict(per_day)
    first, last = per_day[0][0], per_day[-1][0]
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    largest = max(counts.values()) or 1
    slot = CHART_WIDTH / len(days)
    plot_height = DAY_CHART_HEIGHT - 20  # room for the date labels below
    bars = []
    for index, day in enumerate(days):
        value = counts.get(day, 0)
        height = value / largest * plot_height
        bars.append(
            Bar(
                label=day.isoformat(),
                value=value,
                x=index * slot,
                y=plot_height - height,
                # A gap between days; a few days' columns no wider than a thumb.
                width=min(max(slot * 0.8, 0.5), 24),
                height=height,
            )
        )
    return bars

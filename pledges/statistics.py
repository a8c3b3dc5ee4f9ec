"""Who has signed, in numbers: by industry, by country and by day.

Counted over the signatures that count (confirmed, neither hidden nor spam),
grouped by the database, and kept in the cache for STATS_CACHE_SECONDS: the
statistics page and the JSON API read them on every request, and a group-by
over a million rows is not something to run for each visitor. The cache holds
codes and numbers only; names are put on in the reader's language.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from pledges.models import Industry, Signature


def campaign_statistics(campaign):
    """{"by_industry": [(code, n)], "by_country": [(code, n)], "per_day": [(date, n)],
    "last_24_hours": n, "total": n}, largest groups first, days in order."""
    key = f"campaign-statistics:{campaign.pk}"
    statistics = cache.get(key)
    if statistics is None:
        statistics = _count(campaign)
        if settings.STATS_CACHE_SECONDS:
            cache.set(key, statistics, settings.STATS_CACHE_SECONDS)
    return statistics


def _count(campaign):
    counted = Signature.objects.filter(campaign=campaign).counted()

    def grouped(field):
        rows = counted.order_by().values_list(field).annotate(n=Count("pk"))
        return sorted(rows, key=lambda row: (-row[1], row[0]))

    per_day = (
        counted.order_by()
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    by_industry = grouped("industry")
    return {
        "total": sum(n for _, n in by_industry),
        "last_24_hours": counted.signed_since(timezone.now() - timedelta(days=1)).count(),
        "by_industry": by_industry,
        "by_country": grouped("country"),
        "per_day": [(day, n) for day, n in per_day],
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
                width=max(slot * 0.8, 0.5),
                height=height,
            )
        )
    return bars

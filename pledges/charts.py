"""Charts of the statistics, drawn as inline SVG on the server: readable without
JavaScript, no chart library to download, and every number is also in a table
beside the chart."""

from dataclasses import dataclass
from datetime import timedelta

# In viewBox units. The SVG scales to the column's width, at most 400 pixels
# (site.css): labels of 16 units stay 14 pixels or more on a 320-pixel phone.
CHART_WIDTH = 320
ROW_HEIGHT = 42
BAR_HEIGHT = 14
DAY_CHART_HEIGHT = 160
DAY_LABELS_HEIGHT = 24  # below the day chart's axis


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
    usable = CHART_WIDTH - 72  # room for the number after the longest bar
    bars = [
        Bar(
            label=label,
            value=value,
            x=0,
            y=index * ROW_HEIGHT + 22,
            width=max(value / largest * usable, 1),
            height=BAR_HEIGHT,
        )
        for index, (label, value) in enumerate(rows)
    ]
    return bars, len(bars) * ROW_HEIGHT


@dataclass(frozen=True)
class DayBar(Bar):
    """A day's column: `label` is its date; a column for the days before the
    site's first (see day_bars) spans first_day to label."""

    first_day: object = None

    @property
    def spans_days(self):
        return self.first_day is not None and self.first_day != self.label


def day_bars(per_day, since=None):
    """One column per day from the first signature to the last (days without
    signatures too, so the time axis is true). Days before `since` (the day
    the site opened: signatures dated earlier, such as the founding signers
    of 2018, were made before it) are one column, first: else a letter
    launched years ago drew thousands of empty days. Returns the bars."""
    if not per_day:
        return []
    counts = dict(per_day)
    earlier = [day for day in counts if since is not None and day < since]
    first, last = per_day[0][0], per_day[-1][0]
    if earlier:
        first = since
        last = max(last, since)
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    if earlier:
        days.insert(0, None)  # the one column for every earlier day
    largest = max([sum(counts[day] for day in earlier), *counts.values()]) or 1
    slot = CHART_WIDTH / len(days)
    plot_height = DAY_CHART_HEIGHT - DAY_LABELS_HEIGHT
    # A gap between days; a few days' columns no wider than a thumb, each in
    # the middle of its day.
    width = min(max(slot * 0.8, 0.5), 24)
    bars = []
    for index, day in enumerate(days):
        if day is None:
            value, first_day, day = sum(counts[d] for d in earlier), min(earlier), max(earlier)
        else:
            value, first_day = counts.get(day, 0), day
        height = value / largest * plot_height
        bars.append(
            DayBar(
                label=day,
                first_day=first_day,
                value=value,
                x=index * slot + (slot - width) / 2,
                y=plot_height - height,
                width=width,
                height=height,
            )
        )
    return bars


@dataclass(frozen=True)
class FunnelBar(Bar):
    """A horizontal bar of signatures with, inside it from the left, the part
    confirmed: how many came, and how many of them counted."""

    confirmed: int = 0
    confirmed_width: float = 0
    rate: float | None = None


def funnel_bars(rows, limit=30):
    """One bar per (label, signed, confirmed), in the order given; `limit`
    at most. Returns (bars, height of the chart)."""
    rows = rows[:limit]
    largest = max((signed for _, signed, _ in rows), default=0) or 1
    usable = CHART_WIDTH - 110  # room for "1,234 · 56%" after the longest bar
    bars = []
    for index, (label, signed, confirmed) in enumerate(rows):
        width = max(signed / largest * usable, 1)
        bars.append(
            FunnelBar(
                label=label,
                value=signed,
                x=0,
                y=index * ROW_HEIGHT + 22,
                width=width,
                height=BAR_HEIGHT,
                confirmed=confirmed,
                confirmed_width=confirmed / signed * width if signed else 0,
                rate=confirmed / signed if signed else None,
            )
        )
    return bars, len(bars) * ROW_HEIGHT

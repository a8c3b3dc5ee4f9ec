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
    plot_height = DAY_CHART_HEIGHT - DAY_LABELS_HEIGHT
    # A gap between days; a few days' columns no wider than a thumb, each in
    # the middle of its day.
    width = min(max(slot * 0.8, 0.5), 24)
    bars = []
    for index, day in enumerate(days):
        value = counts.get(day, 0)
        height = value / largest * plot_height
        bars.append(
            Bar(
                label=day.isoformat(),
                value=value,
                x=index * slot + (slot - width) / 2,
                y=plot_height - height,
                width=width,
                height=height,
            )
        )
    return bars

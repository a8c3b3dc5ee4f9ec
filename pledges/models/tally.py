from django.db import models
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign


class SignatureTally(models.Model):
    """How many of a campaign's signatures that count are in each industry, each
    country and each hour of confirmation: kept as signatures are confirmed and
    withdrawn, like Campaign.signature_total, by pledges/counting.py alone, so
    that the statistics, the "last 24 hours" and the API read a few hundred
    rows, never a million."""

    class Dimension(models.TextChoices):
        INDUSTRY = "industry", _("industry")
        COUNTRY = "country", _("country")
        HOUR = "hour", _("hour confirmed (UTC)")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tallies")
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    value = models.CharField(max_length=20)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "dimension", "value"], name="one_tally_per_value"
            ),
        ]

    def __str__(self):
        return f"{self.dimension} {self.value}: {self.count}"


class RateLimitCounter(models.Model):
    """Hits in one fixed window for one key (action and client IP hash): the
    database's rate limiter, shared by every worker with no extra server."""

    key = models.CharField(max_length=200, primary_key=True)
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.hits}"

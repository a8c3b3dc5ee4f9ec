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


class SourceTally(models.Model):
    """How many of a campaign's signatures came through one source on one
    day (the day signed, in the site's time zone), and how many of those
    were confirmed since: the figures organisers read in the admin. Counts
    only, written by pledges/funnel.py alone, so they outlive the rows (the
    hourly purge of unconfirmed signatures, a withdrawal)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="source_tallies")
    # A normalised code (SourceCodeQuerySet.normalise); "" for none.
    source = models.CharField(_("source"), max_length=40, blank=True)
    day = models.DateField(_("day signed"))
    signed = models.PositiveIntegerField(_("signatures"), default=0)
    confirmed = models.PositiveIntegerField(_("confirmed"), default=0)

    class Meta:
        verbose_name = _("source figures")
        verbose_name_plural = _("sources: signatures and confirmations")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "source", "day"], name="one_source_tally_per_day"
            ),
        ]

    def __str__(self):
        return f"{self.source or '-'} {self.day}: {self.signed} signed, {self.confirmed} confirmed"


class RateLimitCounter(models.Model):
    """Hits in one fixed window for one key (action and client IP hash): the
    database's rate limiter, shared by every worker with no extra server."""

    key = models.CharField(max_length=200, primary_key=True)
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.hits}"

"""The count and the tallies: the only code that writes them.

Every campaign keeps how many of its signatures count (`Campaign.signature_total`)
and how many of those are in each industry, country and hour of confirmation
(`SignatureTally`), so that no page counts a million rows. They change only
here, called by the signature's own transitions in pledges/models/ (confirm,
withdraw, an edit, moderation, deletion, a bulk load), so no caller can forget.
`recount_all()` is the safety net: `manage.py hourly_upkeep` runs it hourly
and it corrects any drift (a change made outside the site's code).

A signature counts when it is confirmed and neither hidden nor spam
(`Signature.objects.counted()`).
"""

from collections import Counter
from datetime import UTC

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import F

# Above this many rows changed at once, recount the campaign from its rows
# instead of adjusting by each row (a recount is 1.4 s at a million rows on SQLite).
ADJUST_AT_MOST = 1000


def _models():
    # Looked up, not imported: pledges.models imports this module.
    return (
        apps.get_model("campaign", "Campaign"),
        apps.get_model("pledges", "Signature"),
        apps.get_model("pledges", "SignatureTally"),
    )


def count_in(signature):
    """`signature` has just come to count: one more in its campaign and tallies."""
    _adjust({signature.campaign_id: Counter([_tally_row(signature)])}, +1)


def follow_change(before, after):
    """After a save: `before` is the row as it was (None for a new one)."""
    was = _tally_row(before) if before is not None and before.counts else None
    now = _tally_row(after) if after.counts else None
    if was == now and (before is None or before.campaign_id == after.campaign_id):
        return
    if was is not None:
        _adjust({before.campaign_id: Counter([was])}, -1)
    if now is not None:
        _adjust({after.campaign_id: Counter([now])}, +1)


def tally_rows(queryset):
    """What `adjust()` needs of the signatures in `queryset`, locked until the
    transaction ends (so a concurrent change waits, then sees what this one
    did); None when they are more than ADJUST_AT_MOST."""
    rows = list(
        queryset.order_by()
        .select_for_update()
        .values_list("campaign_id", "industry", "country", "confirmed_at")[: ADJUST_AT_MOST + 1]
    )
    return None if len(rows) > ADJUST_AT_MOST else rows


def adjust(leaving, joining, campaign_ids):
    """`leaving` rows stop counting and `joining` rows start (from tally_rows);
    if either was too many to adjust row by row, `campaign_ids` are recounted."""
    if leaving is None or joining is None:
        recount_campaigns(campaign_ids)
        return
    for rows, delta in ((leaving, -1), (joining, +1)):
        changes = {}
        for campaign_id, industry, country, confirmed_at in rows:
            changes.setdefault(campaign_id, Counter())[_key(industry, country, confirmed_at)] += 1
        _adjust(changes, delta)


def recount(campaign):
    """Set `campaign`'s count and tallies from its rows."""
    Campaign, Signature, SignatureTally = _models()
    counted = Signature.objects.filter(campaign=campaign).counted().order_by()
    grouped = {
        SignatureTally.Dimension.INDUSTRY: counted.values_list("industry"),
        SignatureTally.Dimension.COUNTRY: counted.values_list("country"),
        SignatureTally.Dimension.HOUR: counted.annotate(hour=HourKey("confirmed_at")).values_list(
            "hour"
        ),
    }
    with transaction.atomic():
        total = counted.count()
        Campaign.objects.filter(pk=campaign.pk).update(signature_total=total)
        SignatureTally.objects.filter(campaign=campaign).delete()
        SignatureTally.objects.bulk_create(
            SignatureTally(campaign=campaign, dimension=dimension, value=value, count=n)
            for dimension, rows in grouped.items()
            for value, n in rows.annotate(n=models.Count("pk"))
        )
    campaign.signature_total = total
    return total


def recount_campaigns(campaign_ids):
    Campaign, _, _ = _models()
    for campaign in Campaign.objects.filter(pk__in=campaign_ids):
        recount(campaign)


def recount_all():
    """The safety net: every campaign's count and tallies from its rows."""
    Campaign, _, _ = _models()
    for campaign in Campaign.objects.all():
        recount(campaign)


def _tally_row(signature):
    return _key(signature.industry, signature.country.code or "", signature.confirmed_at)


def _key(industry, country, confirmed_at):
    return (industry, country or "", hour_key(confirmed_at))


def _adjust(changes, delta):
    """changes: {campaign_id: Counter({(industry, country, hour): rows})}; each row ±1."""
    Campaign, _, SignatureTally = _models()
    dimensions = SignatureTally.Dimension
    table = connection.ops.quote_name(SignatureTally._meta.db_table)
    with transaction.atomic():
        for campaign_id, rows in changes.items():
            Campaign.objects.filter(pk=campaign_id).update(
                signature_total=F("signature_total") + delta * rows.total()
            )
            tallies = Counter()
            for (industry, country, hour), n in rows.items():
                tallies[(dimensions.INDUSTRY, industry)] += n
                tallies[(dimensions.COUNTRY, country)] += n
                tallies[(dimensions.HOUR, hour)] += n
            values = ", ".join(["(%s, %s, %s, %s)"] * len(tallies))
            params = [
                part
                for (dimension, value), n in tallies.items()
                for part in (campaign_id, dimension, value, delta * n)
            ]
            # One upsert for every tally the rows are in: atomic under
            # concurrency on both databases. The table name is ours, every
            # value a parameter.
            sql = (
                f"INSERT INTO {table} (campaign_id, dimension, value, count) VALUES {values} "  # noqa: S608
                "ON CONFLICT (campaign_id, dimension, value) "
                f"DO UPDATE SET count = {table}.count + excluded.count"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, params)


def hour_key(moment):
    """The UTC hour of `moment` as text, "2026-11-25T21": an hourly tally's value.
    Text, so that one table holds every dimension and ranges compare as strings."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H")


class HourKey(models.Func):
    """hour_key(), computed by the database over many rows (see recount())."""

    output_field = models.CharField()

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps aware datetimes as UTC text: format it directly.
        return self.as_sql(
            compiler, connection, template="strftime('%%Y-%%m-%%dT%%H', %(expressions)s)", **extra
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="""to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24')""",
            **extra,
        )

"""Where signers come from, and how many of them confirm: the figures
organisers read per letter, source and day (the admin's "Sources", its CSV).

A source is the normalised `?source=` code of the page a signature was made
on (Signature.source; campaign/models.py says which codes there are). A day
is the day the signature was made, in the site's time zone: of those who
signed that day through a source, how many have confirmed since. So a day's
confirmation rate is true of that day's signers, whenever they confirm.

Kept as counts in SourceTally, written here alone, so that they outlive the
rows (the hourly purge of unconfirmed signatures, a withdrawal) and keep
nothing of anyone. No signing POST updates a shared row for them: a new
signature is only marked pending (Signature.source_pending) and is counted
by the worker, with the batch that sends its email, or as it is deleted if
that comes first; a confirmation is counted as it happens, in the same
transaction as the count (Signature.confirm).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.models import UNKNOWN_SOURCE

# Rows per statement: well under SQLite's limit on parameters.
CHUNK = 500


def _models():
    # Looked up, not imported: pledges.models imports this module.
    return apps.get_model("pledges", "Signature"), apps.get_model("pledges", "SourceTally")


def count_signed(signatures):
    """Count in their sources' figures those of `signatures` (a queryset) not
    counted yet; once each, however many workers run: the rows are locked,
    counted and marked in one transaction (the caller's, if it has one).
    Returns how many."""
    Signature, _ = _models()
    with transaction.atomic():
        rows = list(
            signatures.filter(source_pending=True)
            .order_by()
            .select_for_update()
            .values_list("pk", "campaign_id", "source", "created_at")
        )
        for chunk in _chunks(rows):
            Signature.objects.filter(pk__in=[pk for pk, *_ in chunk]).update(source_pending=None)
        _add(
            Counter(
                (campaign_id, source or "", timezone.localdate(created_at))
                for _pk, campaign_id, source, created_at in rows
            ),
            signed=1,
        )
    return len(rows)


def count_confirmed(signature):
    """`signature` has just been confirmed: one more confirmed of its source and day."""
    if signature.source is None:
        return  # not made through the form since the figures began
    day = timezone.localdate(signature.created_at)
    _add(Counter([(signature.campaign_id, signature.source, day)]), confirmed=1)


def _add(counts, signed=0, confirmed=0):
    """counts: Counter({(campaign_id, source, day): rows}); each row adds
    `signed` and `confirmed`. One upsert per CHUNK tallies: atomic under
    concurrency on both databases."""
    if not counts:
        return
    _, SourceTally = _models()
    quote = connection.ops.quote_name
    table = quote(SourceTally._meta.db_table)
    for chunk in _chunks(list(counts.items())):
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
        params = [
            part
            for (campaign_id, source, day), n in chunk
            for part in (
                campaign_id,
                source,
                connection.ops.adapt_datefield_value(day),
                signed * n,
                confirmed * n,
            )
        ]
        # The table name is ours, every value a parameter.
        sql = (
            f"INSERT INTO {table} (campaign_id, source, day, signed, confirmed) "  # noqa: S608
            f"VALUES {values} ON CONFLICT (campaign_id, source, day) DO UPDATE SET "
            f"signed = {table}.signed + excluded.signed, "
            f"confirmed = {table}.confirmed + excluded.confirmed"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _chunks(items):
    return (items[start : start + CHUNK] for start in range(0, len(items), CHUNK))


@dataclass(frozen=True)
class Figures:
    """Signatures and confirmed signatures of one source (and day), with the
    confirmation rate: the share of them confirmed so far."""

    source: str
    signed: int
    confirmed: int
    day: date | None = None

    @property
    def rate(self):
        return self.confirmed / self.signed if self.signed else None

    @property
    def label(self):
        return source_label(self.source)


def campaign_figures(campaign, source=None):
    """(per source, per day) for `campaign`: each a list of Figures; per
    source largest first, per day newest first (and, within a day, largest
    first). With `source`, the days are that source's alone."""
    _, SourceTally = _models()
    tallies = SourceTally.objects.filter(campaign=campaign).values_list(
        "source", "day", "signed", "confirmed"
    )
    by_source = {}
    by_day = []
    for code, day, signed, confirmed in tallies:
        total = by_source.get(code, Figures(code, 0, 0))
        by_source[code] = Figures(code, total.signed + signed, total.confirmed + confirmed)
        if source is None or code == source:
            by_day.append(Figures(code, signed, confirmed, day))
    per_source = sorted(by_source.values(), key=lambda f: (-f.signed, f.source))
    per_day = sorted(by_day, key=lambda f: (f.day, f.signed, f.source), reverse=True)
    return per_source, per_day


def every_source_per_day(per_day):
    """The Figures of each day, every source together, newest first."""
    totals = {}
    for figures in per_day:
        signed, confirmed = totals.get(figures.day, (0, 0))
        totals[figures.day] = (signed + figures.signed, confirmed + figures.confirmed)
    return [
        Figures("", signed, confirmed, day)
        for day, (signed, confirmed) in sorted(totals.items(), reverse=True)
    ]


def source_label(code):
    """What organisers read for a source code."""
    if code in _CHANNEL_LABELS:
        return _CHANNEL_LABELS[code]
    return code


_CHANNEL_LABELS = {
    "": _("No code (the address typed, or shared without one)"),
    UNKNOWN_SOURCE: _("Other (a code the site does not know)"),
    "share-sheet": _("The phone's share sheet"),
    "whatsapp": _("WhatsApp"),
    "x": _("X"),
    "facebook": _("Facebook"),
    "email": _("Email"),
    "copy": _("Copied link"),
    "widget": _("Partners' widget"),
    "api": _("API"),
}

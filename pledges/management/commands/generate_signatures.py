"""Fill a campaign with made-up, confirmed signatures, fast: for benchmarks and demos.

The rows are made by the database itself (generate_series on PostgreSQL, a
recursive CTE on SQLite), not one by one through the ORM: a million take
seconds, not minutes.
"""

import json
import secrets
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from pledges import counting
from pledges.management.commands._campaign import campaign_from_slug
from pledges.models import Industry, Signature
from pledges.transparency import log

# One statement per database, each whole as it runs (their column lists match
# on purpose: put a column in both).
_GENERATED_COUNTRIES = ["US", "MX", "GB", "FR", "ES", "DE", "IN", "BR", "NG", "JP", "CA", "AR"]


_GENERATE_POSTGRESQL = """
INSERT INTO pledges_signature (
    campaign_id, name, email, email_canonical, country, industry, comment, show_name,
    status, created_at, confirmed_at, consent_version, consented_at, ip_hash, emails_sent,
    is_featured, is_founding_signer, quote, public_id, log_index
)
SELECT %(campaign)s, 'Signer ' || n, %(prefix)s || n || '@example.org',
       %(prefix)s || n || '@example.org',
       (%(countries)s::text[])[1 + n %% %(country_count)s],
       (%(industries)s::text[])[1 + n %% %(industry_count)s],
       '', n %% 3 <> 0, 'pending',
       now() - make_interval(secs => %(count)s - n), now(), 'generated',
       now() - make_interval(secs => %(count)s - n), '', 0, false, false, '', gen_random_uuid(),
       %(log_start)s + n - 1
FROM generate_series(1, %(count)s) AS n
"""

_GENERATE_SQLITE = """
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %(count)s)
INSERT INTO pledges_signature (
    campaign_id, name, email, email_canonical, country, industry, comment, show_name,
    status, created_at, confirmed_at, consent_version, consented_at, ip_hash, emails_sent,
    is_featured, is_founding_signer, quote, public_id, log_index
)
SELECT %(campaign)s, 'Signer ' || n, %(prefix)s || n || '@example.org',
       %(prefix)s || n || '@example.org',
       substr(%(countries)s, 1 + (n %% %(country_count)s) * 2, 2),
       json_extract(%(industries)s, '$[' || (n %% %(industry_count)s) || ']'),
       '', n %% 3 <> 0, 'pending',
       strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || (%(count)s - n) || ' seconds'),
       strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now'), 'generated',
       strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || (%(count)s - n) || ' seconds'), '', 0,
       false, false, '', lower(hex(randomblob(16))), %(log_start)s + n - 1
FROM seq
"""


def generate(campaign, count):
    """Add `count` made-up, confirmed signatures to `campaign` (benchmarks, demos),
    with their entries in its public log; returns the seconds those took."""
    industries = list(Industry.values)
    params = {
        "campaign": campaign.pk,
        # A prefix of its own each run, so runs never collide on addresses.
        "prefix": f"generated-{secrets.token_hex(4)}-",
        "count": count,
        "country_count": len(_GENERATED_COUNTRIES),
        "industry_count": len(industries),
    }
    if connection.vendor == "postgresql":
        sql = _GENERATE_POSTGRESQL
        params.update(countries=_GENERATED_COUNTRIES, industries=industries)
    elif connection.vendor == "sqlite":
        sql = _GENERATE_SQLITE
        params.update(countries="".join(_GENERATED_COUNTRIES), industries=json.dumps(industries))
    else:
        raise CommandError(f"No fast generator for {connection.vendor}.")
    with transaction.atomic(), connection.cursor() as cursor:
        # Their "add" entries in the letter's public log first, in one batch:
        # each row is stored with its index.
        started = time.monotonic()
        params["log_start"] = log.add_many(campaign.pk, count)
        log_seconds = time.monotonic() - started
        cursor.execute(sql, params)
    Signature.objects.analyze()
    counting.recount(campaign)
    return log_seconds


class Command(BaseCommand):
    help = "Add COUNT made-up, confirmed signatures to a campaign (for benchmarks and demos)."

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="the campaign's slug")
        parser.add_argument("--count", type=int, default=1000)

    def handle(self, *args, campaign, count, **options):
        campaign = campaign_from_slug(campaign)
        if count < 1:
            raise CommandError("--count must be at least 1.")
        started = time.monotonic()
        log_seconds = generate(campaign, count)
        campaign.refresh_from_db()
        self.stdout.write(
            f"Generated {count} signatures for “{campaign}” in "
            f"{time.monotonic() - started:.1f} s (their log entries: {log_seconds:.2f} s); "
            f"it now counts {campaign.signature_total}."
        )

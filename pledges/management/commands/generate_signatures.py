"""Fill a campaign with made-up, confirmed signatures, fast: for benchmarks and demos.

The rows are made by the database itself (generate_series on PostgreSQL, a
recursive CTE on SQLite), not one by one through the ORM: a million take
seconds, not minutes.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from pledges.management.commands._campaign import campaign_from_slug
from pledges.models import Signature


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
        try:
            Signature.objects.generate(campaign, count)
        except NotImplementedError as error:
            raise CommandError(str(error)) from None
        campaign.refresh_from_db()
        self.stdout.write(
            f"Generated {count} signatures for “{campaign}” in "
            f"{time.monotonic() - started:.1f} s; it now counts {campaign.signature_total}."
        )

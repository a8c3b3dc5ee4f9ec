from django.core.management.base import BaseCommand, CommandError

from pledges.importing import import_signatures
from pledges.management.commands._campaign import campaign_from_slug


class Command(BaseCommand):
    help = (
        "Load signatures from a CSV (another petition platform's export, or ours). Every row "
        "is checked first: if any is bad, each problem is listed and nothing is stored. "
        "Addresses that have signed already are skipped, never duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="the campaign's slug")
        parser.add_argument("csv_file", help="path to the CSV file (UTF-8, with a header row)")

    def handle(self, *args, campaign, csv_file, **options):
        campaign = campaign_from_slug(campaign)

        def open_file():
            return open(csv_file, encoding="utf-8-sig", newline="")

        try:
            report = import_signatures(campaign, open_file)
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {csv_file}: {error}") from None
        if report.errors:
            for line, message in report.errors:
                self.stderr.write(f"line {line}: {message}")
            raise CommandError(
                f"{len(report.errors)} problem(s) in {csv_file}: nothing was imported."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {report.created} signatures; skipped {report.skipped_duplicates} "
                f"whose address had signed already."
            )
        )

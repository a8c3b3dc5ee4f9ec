from django.core.management.base import BaseCommand

from pledges.export import csv_lines, jsonl_lines
from pledges.management.commands._campaign import campaign_from_slug
from pledges.models import Signature

FORMATS = {"csv": csv_lines, "jsonl": jsonl_lines}


class Command(BaseCommand):
    help = (
        "Write every signature of a campaign as CSV (safe to open in a spreadsheet) or "
        "JSON Lines, streamed: memory stays flat however many there are."
    )

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="the campaign's slug")
        parser.add_argument("--format", choices=sorted(FORMATS), default="csv")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, campaign, format, output, **options):
        campaign = campaign_from_slug(campaign)
        lines = FORMATS[format](Signature.objects.filter(campaign=campaign))
        if output:
            with open(output, "w", encoding="utf-8", newline="") as file:
                file.writelines(lines)
        else:
            for line in lines:
                self.stdout.write(line, ending="")

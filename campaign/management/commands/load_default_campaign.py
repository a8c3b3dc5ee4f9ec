from django.core.management.base import BaseCommand

from campaign.models import Campaign
from campaign.seed import TIMES_UP


class Command(BaseCommand):
    help = "Store the Time's Up campaign as the featured one, if the database has no campaign yet."

    def handle(self, *args, **options):
        if Campaign.objects.exists():
            self.stdout.write("A campaign exists already: nothing loaded.")
            return
        campaign = Campaign.objects.create(**TIMES_UP)
        self.stdout.write(self.style.SUCCESS(f"Loaded the default campaign “{campaign}”."))

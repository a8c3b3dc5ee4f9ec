from django.core.management import call_command
from django.core.management.base import BaseCommand

# In this order: what is deleted or anonymised leaves the count before the recount.
JOBS = [
    "delete_expired",
    "anonymise_closed_letters",
    "send_owed_emails",
    "recount_signatures",
    "publish_logs",
]


class Command(BaseCommand):
    help = (
        "The hourly jobs, one after the other: " + ", ".join(JOBS) + ". "
        "Safe to run from cron as often as you like."
    )

    def handle(self, *args, **options):
        for job in JOBS:
            call_command(job, stdout=self.stdout, stderr=self.stderr)

from django.core.management.base import BaseCommand

from pledges.models import Submission
from pledges.tasks import send_requested_emails


class Command(BaseCommand):
    help = (
        "Queue the task that sends the emails forms sent are owed, if any are: the "
        "safety net for a batch whose task was lost (a worker stopped mid-queue)."
    )

    def handle(self, *args, **options):
        owed = Submission.objects.owed_an_email().count()
        if owed:
            send_requested_emails.enqueue()
        self.stdout.write(f"{owed} emails owed; {'a batch is queued' if owed else 'none queued'}.")

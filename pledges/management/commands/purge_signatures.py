from django.core.management.base import BaseCommand

from pledges import counting, throttle
from pledges.models import Signature, Submission
from pledges.tasks import send_requested_emails


class Command(BaseCommand):
    help = (
        "Delete unconfirmed signatures, and forms sent, older than CONFIRMATION_DAYS, "
        "anonymise the signatures of campaigns closed more than RETENTION_DAYS_AFTER_CLOSE ago, "
        "drop expired rate-limit counters and recount every campaign. "
        "Safe to run from cron as often as you like."
    )

    def handle(self, *args, **options):
        unconfirmed = Signature.objects.expired_unconfirmed().delete()[0]
        # Forms whose link has expired: nothing can apply their choices any more.
        forms_sent = Submission.objects.expired().delete()[0]
        anonymised = Signature.objects.due_for_anonymising().anonymise()
        counters = throttle.purge_expired_counters()
        # The safety net for emails: a batch whose task was lost is sent now.
        if Submission.objects.owed_an_email().exists():
            send_requested_emails.enqueue()
        # The counts are kept as signatures change; this corrects any drift
        # (a change made outside the site's code).
        counting.recount_all()
        self.stdout.write(
            f"Deleted {unconfirmed} unconfirmed signatures and {forms_sent} expired forms sent, "
            f"anonymised {anonymised}, "
            f"dropped {counters} expired rate-limit counters."
        )

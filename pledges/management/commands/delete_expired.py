from django.core.management.base import BaseCommand

from pledges import throttle
from pledges.models import Signature, Submission, SuppressedAddress


class Command(BaseCommand):
    help = (
        "Delete what has expired: unconfirmed signatures and forms sent older than "
        "CONFIRMATION_DAYS (nothing can confirm or apply them any more), unconfirmed "
        "signatures whose email bounced or was reported as spam, suppressed addresses "
        "past EMAIL_SUPPRESSION_DAYS, and rate-limit counters past their window."
    )

    def handle(self, *args, **options):
        unconfirmed = Signature.objects.expired_unconfirmed().delete()[0]
        forms_sent = Submission.objects.expired().delete()[0]
        suppressions = SuppressedAddress.objects.expired().delete()[0]
        counters = throttle.purge_expired_counters()
        self.stdout.write(
            f"Deleted {unconfirmed} unconfirmed signatures, {forms_sent} expired forms sent, "
            f"{suppressions} expired suppressions and {counters} expired rate-limit counters."
        )

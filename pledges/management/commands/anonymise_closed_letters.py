from django.core.management.base import BaseCommand

from pledges.models import Signature


class Command(BaseCommand):
    help = (
        "Anonymise the signatures of letters closed more than RETENTION_DAYS_AFTER_CLOSE "
        "ago: names, addresses, comments and IP hashes removed, the rows and counts kept."
    )

    def handle(self, *args, **options):
        anonymised = Signature.objects.due_for_anonymising().anonymise()
        self.stdout.write(f"Anonymised {anonymised} signatures.")

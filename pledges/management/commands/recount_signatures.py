from django.core.management.base import BaseCommand

from pledges import counting, funnel
from pledges.models import Signature


class Command(BaseCommand):
    help = (
        "Recount every letter's signatures and tallies from the rows: the safety net "
        "for a change made outside the site's code (the counts are kept as signatures "
        "change, pledges/counting.py). And count in their sources' figures any "
        "signature the worker has not (pledges/funnel.py)."
    )

    def handle(self, *args, **options):
        counting.recount_all()
        late = funnel.count_signed(Signature.objects.all())
        self.stdout.write(
            f"Recounted every letter; {late} signatures joined their sources' figures."
        )

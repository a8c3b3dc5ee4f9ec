from django.core.management.base import BaseCommand

from campaign.models import Campaign
from pledges.transparency import log


class Command(BaseCommand):
    help = (
        "Hash each letter's new log entries into its tree and sign a checkpoint "
        "(--now: even if the last is under LOG_CHECKPOINT_SECONDS old), then check "
        "that each log's adds - removes + restores is the letter's kept count, and "
        "say loudly where it is not (nothing is changed: a recount may correct the "
        "count, never the log)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="a checkpoint now, on demand")

    def handle(self, *args, now=False, **options):
        for checkpoint in log.publish_all(force=now):
            self.stdout.write(
                f"{checkpoint.log.campaign.slug}: checkpoint at {checkpoint.size} entries, "
                f"count {checkpoint.count}."
            )
        problems = [p for c in Campaign.objects.all() if (p := log.check_against_count(c))]
        for problem in problems:
            self.stderr.write(self.style.ERROR(problem))
        if not problems:
            self.stdout.write("Every log agrees with its letter's count.")

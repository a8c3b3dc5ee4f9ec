from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pledges.transparency import log


class Command(BaseCommand):
    help = (
        "Make the Ed25519 key that signs the logs' checkpoints, in LOG_SIGNING_KEY_PATH "
        "(readable by its owner only; never in the repository), and print its verifier "
        "key, to publish (README, 'Check the count yourself'). With the file already "
        "there, print the verifier key of the key in it. --replace: a new key takes "
        "over from the next checkpoint on; the old one stays listed at /log/keys."
    )

    def add_arguments(self, parser):
        parser.add_argument("--replace", action="store_true")

    def handle(self, *args, replace=False, **options):
        path = Path(settings.LOG_SIGNING_KEY_PATH)
        if replace and path.exists():
            retired = log.current_verifier_key()
            path.replace(path.with_name(path.name + ".retired"))
            self.stdout.write(f"Retired {retired} (kept as {path.name}.retired).")
        try:
            verifier = log.current_verifier_key()  # makes the key if there is none
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Signing key: {path}")
        self.stdout.write(f"Verifier key (publish it): {verifier}")
        self.stdout.write(f"Key name: {verifier.split('+', 1)[0]}")

import sys

from django.core.management.base import BaseCommand, CommandError

from pledges.transparency import verify


class Command(BaseCommand):
    help = (
        "Check a site's signature log against a public key you were given: "
        "pledges/transparency/verify.py, which runs on its own too (see README, "
        "'Check the count yourself'). Arguments as that script's: SITE LETTER --key KEY "
        "[--previous FILE] [--save FILE] [--receipt FILE_OR_CODE]."
    )

    def add_arguments(self, parser):
        parser.add_argument("arguments", nargs="*")

    def run_from_argv(self, argv):
        # Every argument is the script's own.
        status = verify.main(argv[2:], out=sys.stdout)
        if status:
            raise SystemExit(status)

    def handle(self, *args, **options):
        raise CommandError("Run it as `manage.py verify_count SITE LETTER --key KEY`.")

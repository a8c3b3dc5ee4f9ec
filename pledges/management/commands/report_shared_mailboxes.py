from django.core.management.base import BaseCommand
from django.urls import reverse

from pledges.models import Signature


class Command(BaseCommand):
    help = (
        "List the signatures that one mailbox gave one letter under several "
        'spellings ("gina"@ and gina@ are one mailbox), stored before such '
        "addresses were refused: for staff to keep one of each and delete the "
        "others in the admin. Names signatures by number, never by address. "
        "Changes nothing."
    )

    def handle(self, *args, **options):
        shared = Signature.objects.shared_mailboxes()
        if not shared:
            self.stdout.write("No mailbox has more than one signature of a letter.")
            return
        for (campaign_id, _mailbox), signatures in shared.items():
            confirmed = sum(signature.is_confirmed for signature in signatures)
            self.stdout.write(
                f"Letter {campaign_id}: {len(signatures)} signatures from one mailbox "
                f"({confirmed} confirmed):"
            )
            for signature in signatures:
                url = reverse("admin:pledges_signature_change", args=[signature.pk])
                self.stdout.write(f"  #{signature.pk}  {url}")
        mailboxes = "1 mailbox" if len(shared) == 1 else f"{len(shared)} mailboxes"
        self.stdout.write(
            f"{mailboxes} with more than one signature. Keep one of each, "
            "delete the others in the admin (the count follows)."
        )

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.urls import reverse

from pledges.addresses import canonical_email
from pledges.models import Signature


def shared_mailboxes():
    """Signatures of one letter from one mailbox under several spellings,
    stored before the canonical form read quoted local parts as mail
    servers do (`"gina"@` is `gina@`): {(campaign id, canonical address):
    [signature, …]} for each mailbox with more than one. Only addresses
    with a quote or backslash can differ, so only they are read whole."""
    quoted = Signature.objects.filter(Q(email__contains='"') | Q(email__contains="\\"))
    groups = {}
    for signature in quoted.only("campaign_id", "email", "email_canonical", "confirmed_at"):
        canonical = canonical_email(signature.email)
        if canonical != signature.email_canonical:
            groups.setdefault((signature.campaign_id, canonical), []).append(signature)
    for (campaign_id, canonical), signatures in groups.items():
        signatures.extend(Signature.objects.filter(campaign=campaign_id, email_canonical=canonical))
    return {
        mailbox: sorted(signatures, key=lambda s: s.pk)
        for mailbox, signatures in groups.items()
        if len(signatures) > 1
    }


class Command(BaseCommand):
    help = (
        "List the signatures that one mailbox gave one letter under several "
        'spellings ("gina"@ and gina@ are one mailbox), stored before such '
        "addresses were refused: for staff to keep one of each and delete the "
        "others in the admin. Names signatures by number, never by address. "
        "Changes nothing."
    )

    def handle(self, *args, **options):
        shared = shared_mailboxes()
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

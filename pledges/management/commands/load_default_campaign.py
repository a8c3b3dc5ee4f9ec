from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from campaign.models import Campaign
from campaign.seed import FOUNDING_SIGNED_AT, FOUNDING_SIGNERS, TIMES_UP
from pledges.consent import CONSENT_VERSION
from pledges.models import Industry, ModerationStatus, Signature


class Command(BaseCommand):
    help = (
        "Store the Time's Up campaign as the featured one, with its founding signers, "
        "if the database has no campaign yet."
    )

    def handle(self, *args, **options):
        if Campaign.objects.exists():
            self.stdout.write("A campaign exists already: nothing loaded.")
            return
        with transaction.atomic():
            campaign = Campaign.objects.create(**TIMES_UP, published_at=timezone.now())
            for signer in FOUNDING_SIGNERS:
                Signature.objects.create(
                    campaign=campaign,
                    email=f"{slugify(signer['name'])}@founding-signers.invalid",
                    industry=Industry.ENTERTAINMENT,
                    country="US",
                    show_name=True,
                    status=ModerationStatus.APPROVED,
                    # Dated when they signed, at the launch: not the day of the
                    # install (the wall, "the last 24 hours", the per-day statistics).
                    created_at=FOUNDING_SIGNED_AT,
                    confirmed_at=FOUNDING_SIGNED_AT,
                    consent_version=CONSENT_VERSION,
                    is_featured=True,
                    is_founding_signer=True,
                    **signer,
                )
        self.stdout.write(self.style.SUCCESS(f"Loaded the default campaign “{campaign}”."))

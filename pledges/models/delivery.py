"""What became of the emails the site sent: per letter, how many were sent,
delivered, bounced and complained about, and the addresses no email goes to
any more. Written by the worker (sent) and by the email service's tracking
webhook (the rest: pledges/delivery.py)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign
from pledges.addresses import canonical_email, normalize_email


class EmailKind(models.TextChoices):
    """What an email was, as its tag and metadata tell the email service (and
    its webhook tells us back)."""

    # The confirmation link, or the note to a confirmed signer whose address
    # signed again: both answer a form someone sent.
    CONFIRMATION = "confirmation", _("confirmation emails")
    UPDATE = "update", _("updates")


class EmailTallyQuerySet(models.QuerySet):
    def add(self, campaign_id, kind, **counts):
        """Add `counts` (sent=, delivered=, bounced=, complained=) to a letter's
        figures for one kind of email: one UPDATE, and the row made the first time."""
        if not any(counts.values()):
            return
        increments = {field: models.F(field) + n for field, n in counts.items() if n}
        rows = self.filter(campaign_id=campaign_id, kind=kind)
        if not rows.update(**increments):
            # The first of its kind: made (by one writer alone, however many
            # race: get_or_create catches the other's insert), then added to.
            self.get_or_create(campaign_id=campaign_id, kind=kind)
            rows.update(**increments)


class EmailTally(models.Model):
    """A letter's emails of one kind: how many left (the worker counts them as
    the mail server takes them) and what the email service reported of them
    since (delivered, bounced, complained). Counts only, nothing of anyone."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("letter"), on_delete=models.CASCADE, related_name="email_tallies"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EmailKind.choices)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    delivered = models.PositiveIntegerField(_("delivered"), default=0)
    bounced = models.PositiveIntegerField(_("bounced"), default=0)
    complained = models.PositiveIntegerField(_("complained"), default=0)

    objects = EmailTallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("email figures")
        verbose_name_plural = _("emails: sent, delivered, bounced")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="one_email_tally_per_kind"),
        ]

    def __str__(self):
        return f"{self.campaign} {self.get_kind_display()}: {self.sent} sent"


def address_key(address):
    """A keyed hash of the mailbox `address` names (its canonical form, so that
    Ana.B@ and anab@ of a provider that ignores dots are one): what the
    suppression list keeps instead of the address, which cannot be read back
    from it, nor tested without the site's SECRET_KEY."""
    canonical = canonical_email(normalize_email(address))
    return salted_hmac("pledges.suppressed-address", canonical, algorithm="sha256").hexdigest()


class SuppressedAddressQuerySet(models.QuerySet):
    def in_force(self, now=None):
        return self.filter(expires_at__gt=now or timezone.now())

    def expired(self, now=None):
        return self.filter(expires_at__lte=now or timezone.now())

    def among(self, addresses):
        """Those of `addresses` that no email may go to now: a set of the
        addresses themselves (one query, however many)."""
        keys = {address_key(address): address for address in addresses}
        if not keys:
            return set()
        found = self.in_force().filter(address_key__in=keys).values_list("address_key", flat=True)
        return {keys[key] for key in found}

    def suppress(self, address, reason):
        """No email to `address` for EMAIL_SUPPRESSION_DAYS from now (a new
        bounce or complaint starts the period again)."""
        now = timezone.now()
        self.update_or_create(
            address_key=address_key(address),
            defaults={
                "reason": reason,
                "suppressed_at": now,
                "expires_at": now + timedelta(days=settings.EMAIL_SUPPRESSION_DAYS),
            },
        )


class SuppressedAddress(models.Model):
    """A mailbox the site sends nothing to: its mail bounced for good, or its
    owner marked an email as spam. Kept as a keyed hash (address_key), for
    EMAIL_SUPPRESSION_DAYS, as the privacy notice says; staff may lift it."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("bounced")
        COMPLAINED = "complained", _("marked as spam")

    address_key = models.CharField(_("address (keyed hash)"), max_length=64, unique=True)
    reason = models.CharField(_("why"), max_length=20, choices=Reason.choices)
    suppressed_at = models.DateTimeField(_("since"), default=timezone.now)
    expires_at = models.DateTimeField(_("until"))

    objects = SuppressedAddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self):
        return f"{self.address_key[:12]}… ({self.get_reason_display()})"

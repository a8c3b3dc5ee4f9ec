"""What becomes of the emails once sent: the email service's tracking webhook
(django-anymail, mounted at /email-events/ once ANYMAIL_WEBHOOK_SECRET is
set) reports deliveries, bounces and complaints, and here they take effect.

- A bounce (the service gave up on the address) suppresses the address for
  every email, and a signature still waiting for that email is marked
  undeliverable: it can never count, staff see it, the hourly purge deletes it.
- A complaint about an update (its reader pressed "spam") stops updates to
  that signer; one about a confirmation email suppresses the address (its
  owner said it is unwanted: someone else typed it) and marks the same.
- Each is added to the letter's figures (EmailTally), with deliveries.

The suppression list keeps a keyed hash of the address, never the address
(SuppressedAddress); every sending path asks it first (SuppressedAddress.objects.among).
"""

import logging
import smtplib

from anymail.exceptions import AnymailError
from anymail.signals import EventType, RejectReason, tracking
from django.conf import settings
from django.core.checks import Warning, register
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from pledges.addresses import canonical_email, normalize_email
from pledges.models import EmailKind, EmailTally, Signature, SuppressedAddress
from timesup.infrastructure.writes import one_writer_at_a_time

logger = logging.getLogger(__name__)

# What a send may raise that is the mail server's or the email service's
# doing, not ours: logged, and retried where that cannot send twice.
SEND_ERRORS = (smtplib.SMTPException, OSError, AnymailError)

DELIVERED, BOUNCED, COMPLAINED = "delivered", "bounced", "complained"


def outcome_of(event):
    """delivered, bounced, complained, or None for what changes nothing here
    (queued, opened, deferred: a bounce that may still be delivered, …)."""
    if event.event_type == EventType.DELIVERED:
        return DELIVERED
    if event.event_type == EventType.BOUNCED:
        return BOUNCED
    if event.event_type == EventType.COMPLAINED:
        return COMPLAINED
    if event.event_type == EventType.REJECTED:
        # The service refused to send: the address bounced or complained
        # before (its own suppression list), or it cannot exist.
        if event.reject_reason in {RejectReason.BOUNCED, RejectReason.INVALID}:
            return BOUNCED
        if event.reject_reason == RejectReason.SPAM:
            return COMPLAINED
    return None


@receiver(tracking, dispatch_uid="pledges.record_tracking_event")
def record_tracking_event(sender, event, esp_name, **kwargs):
    """One event of the email service's webhook (anymail's tracking signal)."""
    outcome = outcome_of(event)
    if outcome is None or not event.recipient:
        return
    metadata = event.metadata or {}
    kind = metadata.get("kind") or next(iter(event.tags or []), "")
    if kind not in EmailKind.values:
        kind = EmailKind.CONFIRMATION  # an email of ours without its tag: the safer reading
    letter = str(metadata.get("letter", ""))
    signatures = Signature.objects.filter(
        email_canonical=canonical_email(normalize_email(event.recipient))
    )
    with one_writer_at_a_time(), transaction.atomic():
        if outcome == BOUNCED or (outcome == COMPLAINED and kind == EmailKind.CONFIRMATION):
            reason = (
                SuppressedAddress.Reason.BOUNCED
                if outcome == BOUNCED
                else SuppressedAddress.Reason.COMPLAINED
            )
            SuppressedAddress.objects.suppress(event.recipient, reason)
            signatures.mark_undeliverable()
        elif outcome == COMPLAINED:
            of_the_letter = (
                signatures.filter(campaign_id=letter) if letter.isdigit() else signatures
            )
            of_the_letter.filter(wants_updates=True).update(
                wants_updates=False, unsubscribed_at=timezone.now()
            )
        campaign_id = int(letter) if letter.isdigit() else _only_letter(signatures)
        if campaign_id is not None:
            EmailTally.objects.add(campaign_id, kind, **{outcome: 1})
    # By outcome and kind only: the event names the address.
    logger.info("Email %s %s (%s)", kind, outcome, esp_name)


def _only_letter(signatures):
    """The letter an event without our metadata was about, if the address signed just one."""
    letters = set(signatures.values_list("campaign_id", flat=True)[:2])
    return letters.pop() if len(letters) == 1 else None


@register("email", deploy=True)
def bounces_are_heard(app_configs, **kwargs):
    """Sending through an email service without its webhook, nobody learns
    which confirmation emails bounced or were reported as spam: those
    signatures never count, and the site keeps mailing the addresses."""
    if not settings.EMAIL_SERVICE or settings.ANYMAIL.get("WEBHOOK_SECRET"):
        return []
    return [
        Warning(
            f"Email goes out through {settings.EMAIL_SERVICE}, but its tracking webhook is off.",
            hint=(
                "Set ANYMAIL_WEBHOOK_SECRET (user:password) and give the service the address "
                f"https://user:password@<your host>/email-events/{settings.EMAIL_SERVICE}/"
                "tracking/ for bounces and complaints (docs/deploy.md, 'Email that arrives')."
            ),
            id="timesup.W004",
        )
    ]

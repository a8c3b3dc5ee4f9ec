import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from campaign.models import Campaign
from pledges import counting, funnel
from pledges.addresses import canonical_email, normalize_email
from pledges.consent import CONSENT_VERSION, UPDATES_CONSENT_VERSION
from pledges.models.choices import (
    COUNTED_STATUSES,
    PUBLIC_CHOICES,
    Industry,
    ModerationStatus,
    signature_number,
)
from pledges.models.signature_queryset import SignatureQuerySet
from pledges.transparency import log


class Signature(models.Model):
    Status = ModerationStatus

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="signatures"
    )
    name = models.CharField(_("name"), max_length=100)
    # Stored normalised, and once more in canonical form, on which one
    # signature per person is enforced (see set_email).
    email = models.EmailField(_("email"), max_length=254)
    email_canonical = models.CharField(_("canonical email"), max_length=254, editable=False)
    country = CountryField(_("country"), blank_label=_("Choose your country"))
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices)
    comment = models.TextField(_("comment"), max_length=500, blank=True)
    show_name = models.BooleanField(_("show name publicly"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("signed"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    # The record of consent: which wording the signer agreed to (see
    # pledges/consent.py), and when.
    consent_version = models.CharField(_("consent wording version"), max_length=20)
    consented_at = models.DateTimeField(_("consented"), default=timezone.now)
    # A keyed hash of the client's IP address, for rate limits and abuse
    # analysis; the address itself is never stored.
    ip_hash = models.CharField(_("IP address hash"), max_length=64, blank=True, db_index=True)
    # Confirmation emails sent in the current 24-hour window, to cap resends.
    emails_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    emails_window_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The language updates are written in: the page's the signature was
    # confirmed from (the first form's until then).
    email_language = models.CharField(max_length=10, blank=True, editable=False, db_default="")
    # What names the signature in links and wall cursors: random, so that
    # neither tells anything of how many rows there are (the sequential id
    # would). Links sent before it existed name the id, and still work.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    # The email service reported that its confirmation email bounced, or that
    # the mailbox's owner marked it as spam (pledges/delivery.py): an
    # unconfirmed signature that can then never count, until the hourly purge.
    undeliverable_at = models.DateTimeField(
        _("email undeliverable"), null=True, blank=True, editable=False
    )
    # Updates about the campaign: a consent of its own, asked with a box left
    # unticked (or from the confirmation page), recorded like the signature's;
    # the link in every update stops them and keeps the signature.
    wants_updates = models.BooleanField(_("wants updates"), default=False, db_default=False)
    updates_consent_version = models.CharField(
        _("updates consent version"), max_length=20, blank=True, default="", db_default=""
    )
    updates_consented_at = models.DateTimeField(_("asked for updates"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("stopped updates"), null=True, blank=True)
    # Featured voices: staff pick a signer and quote them on the campaign page.
    is_featured = models.BooleanField(
        _("featured"),
        default=False,
        help_text=_("Quote this signer on the campaign page (their name must be public)."),
    )
    is_founding_signer = models.BooleanField(
        _("founding signer"),
        default=False,
        help_text=_("Signed at the letter's launch: shown before the other featured voices."),
    )
    quote = models.CharField(
        _("quote"),
        max_length=280,
        blank=True,
        help_text=_("A sentence or two from this signer, shown with their name."),
    )

    # Where the signer came from: the normalised `?source=` code of the page
    # she signed on ("" for none), or None for a signature that did not come
    # through the form since the figures began (an import, founding signers).
    # Never anything about the person. (None and "" differ here, hence null.)
    source = models.CharField(  # noqa: DJ001
        _("source"), max_length=40, null=True, blank=True, editable=False
    )
    # Its "add" entry in the letter's public log (pledges/transparency/), given
    # as it is confirmed: a withdrawal or a moderation appends the entry that
    # removes or restores this index. Nothing else ties the log to the row.
    log_index = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    # True until its signing is counted in its source's figures (by the
    # worker, or as it is deleted: pledges/funnel.py), so that no signing POST
    # updates a shared row. Null, not False, once counted: so both columns
    # are added to a table of a million rows without remaking it on SQLite
    # (which would drop the search index's triggers, migration 0008).
    source_pending = models.BooleanField(null=True, editable=False)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        permissions = [("export_signature", _("Can export signatures"))]
        constraints = [
            # The address first: its index then also serves a look-up by
            # address alone (the admin's search), in every campaign.
            models.UniqueConstraint(
                fields=["email_canonical", "campaign"],
                name="one_signature_per_person_per_campaign",
            ),
            # Catches any write that skipped canonical_email (a bulk insert, raw
            # SQL), which would let a second signature in with other case.
            models.CheckConstraint(
                condition=models.Q(email_canonical=Lower("email_canonical")),
                name="email_canonical_lowercase",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ModerationStatus.values),
                name="signature_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(industry__in=Industry.values), name="signature_industry_known"
            ),
        ]
        indexes = [
            # The wall: one campaign's signatures, newest first, and keyset pages
            # deep into it. Not a partial index on the counted ones: SQLite
            # cannot use a partial index when the query's values are
            # parameters, as Django's always are; the few hidden rows are
            # skipped while reading.
            models.Index(
                "campaign",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="signature_wall",
            ),
            # Featured voices on the campaign page: a handful among a million
            # (a plain index: SQLite would not use a partial one, see above).
            models.Index("campaign", "is_featured", name="signature_featured"),
            # The moderators' queue: awaiting review, oldest first.
            models.Index("status", "created_at", "id", name="signature_review_queue"),
            # The few signatures not yet in their source's figures.
            models.Index(
                "campaign", condition=models.Q(source_pending=True), name="signature_source_pending"
            ),
        ]

    def __str__(self):
        # The signer's name, as staff see it anyway: in messages, the history,
        # the delete page and the moderation log. The log keeps this string;
        # once the signature is withdrawn or anonymised, the queryset's
        # forget_names_in_admin_log puts the number back in the name's place.
        return f"{self.name} (#{self.pk})" if self.name else signature_number(self.pk)

    def save(self, *args, **kwargs):
        """Save; when the change alters what counts (staff edit the status or the
        country, a row is made confirmed), the count and tallies follow."""
        self.set_email(self.email)
        with transaction.atomic():
            before = None
            if not self._state.adding:
                before = Signature.objects.filter(pk=self.pk).first()
            super().save(*args, **kwargs)
            counting.follow_change(before, self)
            log.follow_change(before, self)

    def delete(self, *args, **kwargs):
        # Through the queryset, the one path that takes deleted rows out of the count.
        return Signature.objects.filter(pk=self.pk).delete()

    def clean(self):
        super().clean()
        if self.is_featured and not self.show_name:
            raise ValidationError(
                {
                    "is_featured": _(
                        "Only a signer who chose to show their name can be featured: "
                        "ask them first, then tick “show name publicly”."
                    )
                }
            )

    def set_email(self, address):
        """Keep `address` normalised, and its canonical form too (pledges/addresses.py)."""
        for column, value in self.email_columns(address).items():
            setattr(self, column, value)

    @staticmethod
    def email_columns(address):
        """The two columns `address` is stored in: as typed, normalised, and in
        the canonical form one signature per person is enforced on."""
        email = normalize_email(address)
        return {"email": email, "email_canonical": canonical_email(email)}

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

    @property
    def choices(self):
        """The row's own choices (a link sent before submissions were kept
        names none: the confirmation page then shows these)."""
        return {name: getattr(self, name) for name in PUBLIC_CHOICES}

    @property
    def is_undeliverable(self):
        """Unconfirmed, and its email could not be delivered: it can never count."""
        return not self.is_confirmed and self.undeliverable_at is not None

    @property
    def counts(self):
        return self.is_confirmed and self.status in COUNTED_STATUSES

    def confirm(self, choices=None):
        """Count this signature, published as its owner confirmed: `choices`
        holds each of PUBLIC_CHOICES, as she saw and perhaps changed them on
        the confirmation page (None: the row's own, as staff or an import
        made them). Confirming twice changes nothing, and nothing
        of a confirmed signature is set from here again. The submissions
        waiting for it are deleted: none of them can apply any more.

        Returns her receipt the first time (its entry in the letter's public
        log: pledges/transparency/), None after (see services.confirm_signature)."""
        now = timezone.now()
        choices = self.choices if choices is None else choices
        chosen = {name: choices[name] for name in PUBLIC_CHOICES}
        if chosen["wants_updates"]:
            chosen.update(updates_consented_at=now, updates_consent_version=UPDATES_CONSENT_VERSION)
        if "language" in choices:
            chosen["email_language"] = choices["language"]
        with transaction.atomic():
            newly_confirmed = Signature.objects.filter(
                pk=self.pk, confirmed_at__isnull=True
            ).update(
                # Her consent is given as she confirms, to the wording shown then.
                confirmed_at=now,
                consented_at=now,
                consent_version=CONSENT_VERSION,
                # Review is for comments: one without is approved as it
                # counts; staff's verdict on a row stands (hidden, spam).
                status=models.Case(
                    models.When(
                        status=ModerationStatus.PENDING,
                        then=models.Value(
                            ModerationStatus.PENDING
                            if chosen["comment"].strip()
                            else ModerationStatus.APPROVED
                        ),
                    ),
                    default=models.F("status"),
                ),
                **chosen,
            )
            self.refresh_from_db()
            if not newly_confirmed:
                return None
            funnel.count_confirmed(self)
            self.submissions.all().delete()
            if self.counts:
                counting.count_in(self)
                self.campaign.refresh_from_db(fields=["signature_total"])
            return log.add(self)

    def set_public_choices(self, show_name, wants_updates):
        """A confirmed signer changes her own choices (the link in the email
        she gets when her address signs again): her name shown or not, and
        updates. A hidden name is no longer featured."""
        if show_name != self.show_name:
            changes = {"show_name": show_name}
            if not show_name:
                changes["is_featured"] = False
            Signature.objects.filter(pk=self.pk).update(**changes)
        if wants_updates and not self.wants_updates:
            self.ask_for_updates()
        elif not wants_updates and self.wants_updates:
            self.stop_updates()
        self.refresh_from_db()

    @property
    def too_late_to_confirm(self):
        """Unconfirmed, and its letter closed more than CONFIRMATION_GRACE_HOURS ago."""
        return not self.is_confirmed and not self.campaign.accepts_confirmations()

    def ask_for_updates(self):
        """The signer asked, from their confirmation page, for updates."""
        now = timezone.now()
        Signature.objects.filter(pk=self.pk).update(
            wants_updates=True,
            updates_consented_at=now,
            updates_consent_version=UPDATES_CONSENT_VERSION,
            unsubscribed_at=None,
        )
        self.refresh_from_db(fields=["wants_updates", "updates_consented_at", "unsubscribed_at"])

    def stop_updates(self):
        """No more updates (the link in each one); the signature stays and counts."""
        Signature.objects.filter(pk=self.pk, wants_updates=True).update(
            wants_updates=False, unsubscribed_at=timezone.now()
        )
        self.refresh_from_db(fields=["wants_updates", "unsubscribed_at"])

    def withdraw(self):
        """Delete this signature and everything personal with it; the count drops."""
        deleted, _ = Signature.objects.filter(pk=self.pk).delete()
        self.campaign.refresh_from_db(fields=["signature_total"])
        return bool(deleted)

    def reserve_email(self, limit, now=None):
        """Count one more email to this signer; False once `limit` were sent in 24 hours.

        Conditional UPDATEs (one that starts a new 24-hour window, else one that
        adds to the open window), so concurrent senders cannot both slip under the cap.
        """
        now = now or timezone.now()
        day_ago = now - timedelta(days=1)
        window_open = models.Q(emails_window_started_at__gt=day_ago)
        starts_new_window = (
            Signature.objects.filter(pk=self.pk)
            .filter(~window_open | models.Q(emails_window_started_at__isnull=True))
            .update(emails_sent=1, emails_window_started_at=now)
        )
        if starts_new_window:
            return True
        return bool(
            Signature.objects.filter(pk=self.pk, emails_sent__lt=limit)
            .filter(window_open)
            .update(emails_sent=models.F("emails_sent") + 1)
        )

    @property
    def industry_label(self):
        # Not get_industry_display(): that translates every choice on each call.
        return Industry(self.industry).label

    @property
    def public_industry(self):
        """Where the signer works, as the wall shows it: nothing if she preferred not to say."""
        return "" if self.industry == Industry.UNDISCLOSED else self.industry_label

    @property
    def public_name(self):
        """The name as the wall shows it: only with the signer's consent."""
        return self.name if self.show_name else None

    @property
    def public_comment(self):
        """The comment as the wall shows it: only once staff approved it."""
        return self.comment if self.status == self.Status.APPROVED else ""


class CommentToReview(Signature):
    """A signature seen as its comment, in the moderators' queue (the admin's
    "Comments to review"): the same rows, another list."""

    class Meta:
        proxy = True
        verbose_name = _("comment to review")
        verbose_name_plural = _("comments to review")

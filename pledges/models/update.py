"""Updates to a letter's signers: news staff write in the admin and the
worker sends, a batch a minute, to each signer who asked for it, at most once
each. The models are here, where Django loads the app's models from; the rest
of the feature (admin, tasks, views, emails, templates) is pledges/updates/.
Of the signatures it needs only who asked (SignatureQuerySet.update_recipients)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, TranslatedText, spanish_twin

_SPANISH_UPDATE_HELP = _("Leave blank to send the English text to those who signed in Spanish.")


class UpdateQuerySet(models.QuerySet):
    def stalled(self):
        """Being sent, but no batch taken for Update.STALLED_AFTER: the worker
        that was sending it has stopped, and it may be resumed. The one
        statement of the rule (Update.is_stalled and resume() read it here)."""
        cutoff = timezone.now() - Update.STALLED_AFTER
        return self.filter(state=Update.State.SENDING).filter(
            models.Q(last_batch_at__lt=cutoff)
            | models.Q(last_batch_at__isnull=True, send_started_at__lt=cutoff)
            | models.Q(last_batch_at__isnull=True, send_started_at__isnull=True)
        )

    def with_stalled(self):
        """Each update with `stalled` read in the same query (the admin's list)."""
        return self.annotate(
            stalled=models.Exists(self.model.objects.stalled().filter(pk=models.OuterRef("pk")))
        )


SPANISH_HALF_WRITTEN = _(
    "Write both the Spanish subject and the Spanish body, or neither: "
    "otherwise Spanish readers would get an email half in English."
)


class Update(models.Model):
    """News for the signers of one letter who asked for it: written in the
    admin, then sent by the task worker (pledges/tasks.py), a batch a minute,
    to each recipient at most once (UpdateDelivery)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("letter"), on_delete=models.CASCADE, related_name="updates"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("body"),
        help_text=_("Plain text. The link to stop updates is added below it in every email."),
    )
    subject_es = spanish_twin(subject, max_length=200, help_text=_SPANISH_UPDATE_HELP)
    body_es = spanish_twin(body, help_text=_SPANISH_UPDATE_HELP)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT, editable=False
    )
    # Set once the worker has listed the recipients (when sending starts).
    recipient_total = models.PositiveIntegerField(_("recipients"), default=0, editable=False)
    recipients_listed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_count = models.PositiveIntegerField(_("sent"), default=0, editable=False)
    # When the worker last took a batch: a send with none for STALLED_AFTER
    # has lost its worker, and may be resumed without doubling its pace.
    last_batch_at = models.DateTimeField(null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    send_started_at = models.DateTimeField(_("sending started"), null=True, editable=False)
    finished_at = models.DateTimeField(_("sending finished"), null=True, editable=False)

    objects = UpdateQuerySet.as_manager()

    local_subject = TranslatedText("subject")
    local_body = TranslatedText("body")

    # A batch is taken every minute while sending; none for this long, and
    # the worker that was sending it has stopped.
    STALLED_AFTER = timedelta(minutes=3)

    class Meta:
        verbose_name = _("update to signers")
        verbose_name_plural = _("updates to signers")
        ordering = ["-created_at"]
        permissions = [("send_update", _("Can send updates"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["draft", "sending", "paused", "sent"]),
                name="update_state_known",
            ),
            # Both halves of the Spanish email, or neither: never a mixed one.
            models.CheckConstraint(
                condition=models.Q(subject_es="", body_es="")
                | (~models.Q(subject_es="") & ~models.Q(body_es="")),
                name="update_spanish_whole",
                violation_error_message=SPANISH_HALF_WRITTEN,
            ),
        ]

    def __str__(self):
        return self.subject

    def clean(self):
        super().clean()
        for field in ("subject", "subject_es"):
            if "\n" in getattr(self, field) or "\r" in getattr(self, field):
                raise ValidationError({field: _("A subject is one line.")})
        if bool(self.subject_es.strip()) != bool(self.body_es.strip()):
            missing = "body_es" if self.subject_es.strip() else "subject_es"
            raise ValidationError({missing: SPANISH_HALF_WRITTEN})

    def subject_in(self, language):
        """The subject a reader of `language` gets (the English one where none is written)."""
        with translation.override(language):
            return self.local_subject

    @property
    def is_draft(self):
        return self.state == self.State.DRAFT

    @property
    def is_stalled(self):
        """Being sent, but no batch taken for STALLED_AFTER: its worker stopped.
        (The admin's list reads it from UpdateQuerySet.with_stalled() instead.)"""
        if hasattr(self, "stalled"):
            return self.stalled
        return Update.objects.filter(pk=self.pk).stalled().exists()

    # The transitions staff press in the admin: each a conditional UPDATE, so
    # that a doubled click, or two staff at once, change nothing twice.
    # pledges/updates/services.py queues the worker's task after them.

    def start_sending(self):
        """Draft to sending; False if it is sent or being sent already."""
        return self._move(
            Update.objects.filter(state=self.State.DRAFT),
            self.State.SENDING,
            send_started_at=timezone.now(),
        )

    def pause(self):
        """Stop after the batch being sent; False if it was not being sent."""
        return self._move(Update.objects.filter(state=self.State.SENDING), self.State.PAUSED)

    def resume(self):
        """Paused, or stalled (its worker stopped mid-send), to sending; False
        for one whose worker is still sending it."""
        resumable = Update.objects.filter(state=self.State.PAUSED) | Update.objects.stalled()
        return self._move(resumable, self.State.SENDING)

    def _move(self, allowed, state, **changes):
        moved = allowed.filter(pk=self.pk).update(state=state, **changes)
        if moved:
            self.refresh_from_db()
        return bool(moved)

    def recipients(self):
        """Who would get it if it were sent now (once sending starts, the list is kept)."""
        return self.campaign.signatures.update_recipients()


class UpdateDelivery(models.Model):
    """One recipient of one update, listed when sending starts. Claimed by one
    worker before the email is sent, and never claimed again, so that nobody
    gets an update twice, whatever restarts or doubled clicks happen."""

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="deliveries")
    # Withdrawing a signature deletes this row too: nothing of the signer stays.
    signature = models.ForeignKey("pledges.Signature", on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["update", "signature"], name="one_delivery_per_recipient"
            ),
        ]
        indexes = [
            # The worker's next batch: this update's rows not claimed yet.
            models.Index("update", "claimed_at", "id", name="delivery_next_batch"),
        ]

    def __str__(self):
        return f"{self.update_id} → {self.signature_id}"

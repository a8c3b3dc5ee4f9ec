from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from campaign.models import Campaign


class Industry(models.TextChoices):
    """Where a signer works: "from movie sets to farm fields to boardrooms"."""

    ENTERTAINMENT = "entertainment", _("Film, TV, music and entertainment")
    MEDIA = "media", _("Media, journalism and publishing")
    AGRICULTURE = "agriculture", _("Agriculture and farm work")
    BUSINESS = "business", _("Business, finance and management")
    TECHNOLOGY = "technology", _("Technology")
    HEALTH = "health", _("Health and care")
    EDUCATION = "education", _("Education and research")
    HOSPITALITY = "hospitality", _("Hospitality, restaurants and food service")
    RETAIL = "retail", _("Retail and sales")
    DOMESTIC = "domestic", _("Domestic work and cleaning")
    MANUFACTURING = "manufacturing", _("Manufacturing and construction")
    TRANSPORT = "transport", _("Transport and logistics")
    LAW = "law", _("Law and justice")
    PUBLIC = "public", _("Government and public service")
    NONPROFIT = "nonprofit", _("Non-profit and advocacy")
    SPORTS = "sports", _("Sports")
    OTHER = "other", _("Other")


class ModerationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    HIDDEN = "hidden", _("Hidden")
    SPAM = "spam", _("Spam")


# Hidden and spam signatures leave the wall and the count; pending ones stay,
# so signing is never held up by a moderation queue. Only approved ones show
# their comment.
COUNTED_STATUSES = (ModerationStatus.PENDING, ModerationStatus.APPROVED)


class SignatureQuerySet(models.QuerySet):
    def counted(self):
        """Signatures in the count and on the wall: all but the hidden and the spam."""
        return self.filter(status__in=COUNTED_STATUSES)

    def wall(self):
        """The public wall, newest first."""
        return self.counted().order_by("-created_at", "-id")

    def older_than(self, created_at, pk):
        """Those after (created_at, pk) in the wall's order: keyset pagination, as
        fast on the ten-thousandth page as on the first."""
        return self.filter(
            models.Q(created_at__lt=created_at) | models.Q(created_at=created_at, pk__lt=pk)
        )

    def moderate(self, status):
        """Set the moderation status of every selected signature; returns how many."""
        return self.update(status=status, moderated_at=timezone.now())

    def sign(self, campaign, **fields):
        """Store a signature of `campaign`; return it, or None if this email has signed it already.

        The database's unique constraint decides, not a look-up before the
        insert: two identical submissions at the same instant store one row.
        """
        signature = self.model(campaign=campaign, **fields)
        try:
            with transaction.atomic():
                signature.save(force_insert=True)
        except IntegrityError:
            if self.filter(campaign=campaign, email=signature.email).exists():
                return None
            raise
        return signature


class Signature(models.Model):
    Status = ModerationStatus
    COUNTED_STATUSES = COUNTED_STATUSES

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="signatures"
    )
    name = models.CharField(_("name"), max_length=100)
    # Stored normalised (see normalize_email): the unique constraint then
    # holds whatever the case the address was typed in.
    email = models.EmailField(_("email"), max_length=254)
    country = CountryField(_("country"))
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices)
    comment = models.TextField(_("comment"), max_length=500, blank=True)
    show_name = models.BooleanField(_("show name publicly"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("signed"), default=timezone.now)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        permissions = [("export_signature", _("Can export signatures"))]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "email"], name="one_signature_per_email_per_campaign"
            ),
            # Catches any write that skipped normalize_email (a bulk insert, raw
            # SQL), which would let a second signature in with other case.
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="email_lowercase"
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
            # The wall and the count: one campaign's counted signatures, newest first.
            models.Index(
                "campaign",
                models.F("created_at").desc(),
                models.F("id").desc(),
                condition=models.Q(status__in=COUNTED_STATUSES),
                name="signature_wall",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.email = self.normalize_email(self.email)
        super().save(*args, **kwargs)

    @staticmethod
    def normalize_email(address):
        """The form an address is stored in: no surrounding spaces, lower case.

        Lower-cased here in Python, not by the database: SQLite's LOWER()
        leaves non-ASCII letters alone, so "ÉLODIE@…" and "élodie@…" would
        both get past a constraint on LOWER(email).
        """
        return address.strip().lower()

    @property
    def public_name(self):
        """The name as the wall shows it: only with the signer's consent."""
        return self.name if self.show_name else None

    @property
    def public_comment(self):
        """The comment as the wall shows it: only once staff approved it."""
        return self.comment if self.status == self.Status.APPROVED else ""

from datetime import UTC, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Value
from django.db.models.functions import Cast, Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from campaign.models import Campaign
from pledges.addresses import canonical_email


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
# their comment. And only confirmed ones count at all (see COUNTED).
COUNTED_STATUSES = (ModerationStatus.PENDING, ModerationStatus.APPROVED)
COUNTED = models.Q(status__in=COUNTED_STATUSES, confirmed_at__isnull=False)


class SignatureQuerySet(models.QuerySet):
    def counted(self):
        """Signatures in the count and on the wall: confirmed, and neither hidden nor spam."""
        return self.filter(COUNTED)

    def expired_unconfirmed(self):
        """Never confirmed, and their link has expired: to be deleted."""
        cutoff = timezone.now() - timedelta(days=settings.CONFIRMATION_DAYS)
        return self.filter(confirmed_at__isnull=True, created_at__lt=cutoff)

    def due_for_anonymising(self):
        """Of campaigns closed longer than RETENTION_DAYS_AFTER_CLOSE ago, not yet anonymised."""
        cutoff = timezone.now() - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSE)
        return self.filter(
            campaign__signing_open=False,
            campaign__closed_at__lt=cutoff,
            anonymised_at__isnull=True,
        )

    def anonymise(self):
        """Remove everything personal and keep the rows, so counts stay true."""
        placeholder = Concat(
            Value("anonymised-"), Cast("pk", models.CharField()), Value("@anonymised.invalid")
        )
        return self.update(
            name="",
            email=placeholder,
            email_canonical=placeholder,
            comment="",
            show_name=False,
            is_featured=False,
            quote="",
            ip_hash="",
            anonymised_at=timezone.now(),
        )

    def featured_voices(self):
        """The signers staff chose to quote on the campaign page, founding signers
        first as at the letter's launch; only those who let their name be shown."""
        return (
            self.counted()
            # "IN (true)", not "= true": Django writes that as the bare column, which
            # SQLite does not match against the signature_featured index.
            .filter(is_featured__in=[True], show_name=True)
            .order_by("-is_founding_signer", "created_at", "id")
        )

    def wall(self):
        """The public wall, newest first."""
        return self.counted().order_by("-created_at", "-id")

    def older_than(self, created_at, pk):
        """Those after (created_at, pk) in the wall's order: keyset pagination, as
        fast on the ten-thousandth page as on the first."""
        # Written as a range on created_at, which the wall index serves directly;
        # "created_at < x OR (created_at = x AND id < y)" made both databases
        # walk the index from the newest row down to the cursor.
        return self.filter(created_at__lte=created_at).exclude(created_at=created_at, pk__gte=pk)

    def refresh_statistics(self):
        """ANALYZE the table, after a bulk load: with statistics from when it was
        small, PostgreSQL planned the wall as a sort of every row (600 ms, not 4)."""
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(self.model._meta.db_table)}")

    def moderate(self, status):
        """Set the moderation status of every selected signature; returns how many.
        The campaigns' counts are then recounted (moderation is rare; counting is exact)."""
        campaigns = Campaign.objects.filter(pk__in=self.values("campaign_id"))
        updated = self.update(status=status, moderated_at=timezone.now())
        campaigns.recount()
        return updated


class Signature(models.Model):
    Status = ModerationStatus
    COUNTED_STATUSES = COUNTED_STATUSES

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="signatures"
    )
    name = models.CharField(_("name"), max_length=100)
    # Stored normalised (see normalize_email), and once more in canonical
    # form (see canonical_email), on which one signature per person is enforced.
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
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
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
        ]

    def __str__(self):
        # Not the name: this string is kept in the admin's moderation log,
        # which must not keep personal data after a withdrawal.
        return f"Signature #{self.pk}"

    def save(self, *args, **kwargs):
        self.email = self.normalize_email(self.email)
        self.email_canonical = canonical_email(self.email)
        super().save(*args, **kwargs)

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

    @staticmethod
    def normalize_email(address):
        """The form an address is stored in: no surrounding spaces, lower case.

        Lower-cased here in Python, not by the database: SQLite's LOWER()
        leaves non-ASCII letters alone, so "ÉLODIE@…" and "élodie@…" would
        both get past a constraint on LOWER(email).
        """
        return address.strip().lower()

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

    @property
    def email_domain(self):
        return self.email.rpartition("@")[2]

    @property
    def counts(self):
        return self.is_confirmed and self.status in COUNTED_STATUSES

    def confirm(self):
        """Count this signature. Confirming twice changes nothing."""
        with transaction.atomic():
            newly_confirmed = Signature.objects.filter(
                pk=self.pk, confirmed_at__isnull=True
            ).update(confirmed_at=timezone.now())
            self.refresh_from_db(fields=["confirmed_at", "status"])
            if newly_confirmed and self.counts:
                self.campaign.add_to_count(+1)
                SignatureTally.objects.add(self, +1)

    def withdraw(self):
        """Delete this signature and everything personal with it; the count drops."""
        with transaction.atomic():
            deleted, _ = Signature.objects.filter(pk=self.pk).delete()
            if deleted and self.counts:
                self.campaign.add_to_count(-1)
                SignatureTally.objects.add(self, -1)

    def tally_keys(self):
        """The (dimension, value) of each tally this signature counts in."""
        return [
            (SignatureTally.Dimension.INDUSTRY, self.industry),
            (SignatureTally.Dimension.COUNTRY, self.country.code or ""),
            (SignatureTally.Dimension.HOUR, hour_key(self.confirmed_at)),
        ]

    def reserve_email(self, limit, now=None):
        """Count one more email to this signer; False once `limit` were sent in 24 hours.

        One conditional UPDATE, so concurrent requests cannot both slip under the cap.
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
    def public_name(self):
        """The name as the wall shows it: only with the signer's consent."""
        return self.name if self.show_name else None

    @property
    def public_comment(self):
        """The comment as the wall shows it: only once staff approved it."""
        return self.comment if self.status == self.Status.APPROVED else ""


class BlockedDomain(models.Model):
    """An email domain staff refuse signatures from (throwaway addresses, a spam wave)."""

    domain = models.CharField(
        _("domain"),
        max_length=253,
        unique=True,
        help_text=_("e.g. example.org; its subdomains too."),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("blocked"), auto_now_add=True)

    class Meta:
        verbose_name = _("blocked email domain")
        verbose_name_plural = _("blocked email domains")
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(domain=Lower("domain")), name="domain_lowercase"
            ),
        ]

    def __str__(self):
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower().strip(".")
        super().save(*args, **kwargs)


def hour_key(moment):
    """The UTC hour of `moment` as text, "2026-11-25T21": an hourly tally's value.
    Text, so that one table holds every dimension and ranges compare as strings."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H")


class HourKey(models.Func):
    """hour_key(), computed by the database over many rows (see rebuild())."""

    output_field = models.CharField()

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps aware datetimes as UTC text: format it directly.
        return self.as_sql(
            compiler, connection, template="strftime('%%Y-%%m-%%dT%%H', %(expressions)s)", **extra
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="""to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24')""",
            **extra,
        )


class SignatureTallyQuerySet(models.QuerySet):
    def add(self, signature, delta):
        """Count `signature` in (or, with -1, out of) its industry's, country's and
        hour's tallies: one upsert, atomic under concurrency on both databases."""
        table = connection.ops.quote_name(SignatureTally._meta.db_table)
        keys = signature.tally_keys()
        values = ", ".join(["(%s, %s, %s, %s)"] * len(keys))
        params = [
            part
            for dimension, value in keys
            for part in (signature.campaign_id, dimension, value, delta)
        ]
        # The table name is ours, and every value a parameter.
        sql = (
            f"INSERT INTO {table} (campaign_id, dimension, value, count) VALUES {values} "  # noqa: S608
            "ON CONFLICT (campaign_id, dimension, value) "
            f"DO UPDATE SET count = {table}.count + excluded.count"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def rebuild(self, campaign):
        """Set `campaign`'s tallies from its signatures that count: after bulk
        changes (moderation, imports), and hourly as a safety net, like recount()."""
        counted = Signature.objects.filter(campaign=campaign).counted().order_by()
        grouped = {
            self.model.Dimension.INDUSTRY: counted.values_list("industry"),
            self.model.Dimension.COUNTRY: counted.values_list("country"),
            self.model.Dimension.HOUR: counted.annotate(hour=HourKey("confirmed_at")).values_list(
                "hour"
            ),
        }
        with transaction.atomic():
            self.filter(campaign=campaign).delete()
            self.bulk_create(
                self.model(campaign=campaign, dimension=dimension, value=value, count=n)
                for dimension, rows in grouped.items()
                for value, n in rows.annotate(n=models.Count("pk"))
            )


class SignatureTally(models.Model):
    """How many of a campaign's signatures that count are in each industry, each
    country and each hour of confirmation: kept as signatures are confirmed and
    withdrawn (like Campaign.signature_total), so that the statistics, the
    "last 24 hours" and the API read a few hundred rows, never a million."""

    class Dimension(models.TextChoices):
        INDUSTRY = "industry", _("industry")
        COUNTRY = "country", _("country")
        HOUR = "hour", _("hour confirmed (UTC)")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tallies")
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    value = models.CharField(max_length=20)
    count = models.IntegerField(default=0)

    objects = SignatureTallyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "dimension", "value"], name="one_tally_per_value"
            ),
        ]

    def __str__(self):
        return f"{self.dimension} {self.value}: {self.count}"


class RateLimitCounter(models.Model):
    """Hits in one fixed window for one key (action and client IP hash): the
    database's rate limiter, shared by every worker with no extra server."""

    key = models.CharField(max_length=200, primary_key=True)
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.hits}"

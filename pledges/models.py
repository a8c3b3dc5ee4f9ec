import functools
import json
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection, connections, models, transaction
from django.db.models import Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from campaign.models import Campaign, TranslatedText, spanish_twin
from pledges import counting
from pledges.addresses import canonical_email, normalize_email
from pledges.consent import CONSENT_VERSION, UPDATES_CONSENT_VERSION


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
# their comment. And only confirmed ones count at all.
COUNTED_STATUSES = (ModerationStatus.PENDING, ModerationStatus.APPROVED)
COUNTED = models.Q(status__in=COUNTED_STATUSES, confirmed_at__isnull=False)

# What a signer chooses of her signature: kept from each form sent in a
# Submission of its own, and taken on by the signature only when the
# mailbox's owner confirms (Signature.confirm). Nobody else sets them.
PUBLIC_CHOICES = ["name", "country", "industry", "comment", "show_name", "wants_updates"]


# Made-up signatures for benchmarks and demos (SignatureQuerySet.generate()),
# made by the database itself, not one by one through the ORM: a million take
# seconds, not minutes.
# One statement per database, each whole as it runs (their column lists match
# on purpose: put a column in both).
_GENERATED_COUNTRIES = ["US", "MX", "GB", "FR", "ES", "DE", "IN", "BR", "NG", "JP", "CA", "AR"]


_GENERATE_POSTGRESQL = """
INSERT INTO pledges_signature (
    campaign_id, name, email, email_canonical, country, industry, comment, show_name,
    status, created_at, confirmed_at, consent_version, consented_at, ip_hash, emails_sent,
    is_featured, is_founding_signer, quote, public_id
)
SELECT %(campaign)s, 'Signer ' || n, %(prefix)s || n || '@example.org',
       %(prefix)s || n || '@example.org',
       (%(countries)s::text[])[1 + n %% %(country_count)s],
       (%(industries)s::text[])[1 + n %% %(industry_count)s],
       '', n %% 3 <> 0, 'pending',
       now() - make_interval(secs => %(count)s - n), now(), 'generated',
       now() - make_interval(secs => %(count)s - n), '', 0, false, false, '', gen_random_uuid()
FROM generate_series(1, %(count)s) AS n
"""

_GENERATE_SQLITE = """
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %(count)s)
INSERT INTO pledges_signature (
    campaign_id, name, email, email_canonical, country, industry, comment, show_name,
    status, created_at, confirmed_at, consent_version, consented_at, ip_hash, emails_sent,
    is_featured, is_founding_signer, quote, public_id
)
SELECT %(campaign)s, 'Signer ' || n, %(prefix)s || n || '@example.org',
       %(prefix)s || n || '@example.org',
       substr(%(countries)s, 1 + (n %% %(country_count)s) * 2, 2),
       json_extract(%(industries)s, '$[' || (n %% %(industry_count)s) || ']'),
       '', n %% 3 <> 0, 'pending',
       strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || (%(count)s - n) || ' seconds'),
       strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now'), 'generated',
       strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || (%(count)s - n) || ' seconds'), '', 0,
       false, false, '', lower(hex(randomblob(16)))
FROM seq
"""


def _stored_fields(model):
    return [field for field in model._meta.concrete_fields if not field.primary_key]


@functools.cache
def _store_sql(vendor):
    """Signature.objects.store()'s statements, made once per kind of database:
    the signature unless its address has one (its id either way), and the
    submission. PostgreSQL takes both as one statement; SQLite, which has no
    INSERT in a WITH, as two in one transaction (no round trip to pay)."""
    quote = connection.ops.quote_name

    def columns(model, skip=()):
        return ", ".join(quote(f.column) for f in _stored_fields(model) if f.attname not in skip)

    def placeholders(model, skip=()):
        return ", ".join("%s" for f in _stored_fields(model) if f.attname not in skip)

    # Table and column names are ours; every value is a parameter. The DO
    # UPDATE changes nothing: it is there so that RETURNING gives the id of
    # the row that was there already.
    signature = (
        f"INSERT INTO {quote(Signature._meta.db_table)} ({columns(Signature)}) "  # noqa: S608
        f"VALUES ({placeholders(Signature)}) "
        "ON CONFLICT (email_canonical, campaign_id) DO UPDATE SET "
        "email_canonical = excluded.email_canonical RETURNING id"
    )
    submission_table = quote(Submission._meta.db_table)
    submission_columns = columns(Submission, skip={"signature_id"})
    submission_values = placeholders(Submission, skip={"signature_id"})
    if vendor == "postgresql":
        return [
            f"WITH signature AS ({signature}) "  # noqa: S608
            f"INSERT INTO {submission_table} (signature_id, {submission_columns}) "
            f"SELECT signature.id, {submission_values} FROM signature"
        ]
    return [
        signature,
        f"INSERT INTO {submission_table} (signature_id, {submission_columns}) "  # noqa: S608
        f"VALUES (%s, {submission_values})",
    ]


def _db_values(obj, skip=()):
    return [
        field.get_db_prep_save(getattr(obj, field.attname), connection)
        for field in _stored_fields(type(obj))
        if field.attname not in skip
    ]


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
        # Before the update: the selection may be on what it changes.
        self.forget_names_in_admin_log()
        Submission.objects.filter(signature__in=self).delete()
        anonymised = self.update(
            name="",
            email=placeholder,
            email_canonical=placeholder,
            comment="",
            show_name=False,
            is_featured=False,
            quote="",
            ip_hash="",
            wants_updates=False,
            anonymised_at=timezone.now(),
        )
        return anonymised

    def forget_names_in_admin_log(self):
        """The admin log's entries for these signatures name them by number
        again: the log outlives a withdrawal or anonymising and must not keep
        the name. One UPDATE, of these signatures' entries only."""
        from django.contrib.admin.models import LogEntry

        # By app and model name, through a join, not ContentType's cached id:
        # this runs in every process, on every deletion.
        LogEntry.objects.filter(
            content_type__app_label=self.model._meta.app_label,
            content_type__model=self.model._meta.model_name,
            object_id__in=self.annotate(text_pk=Cast("pk", models.TextField())).values("text_pk"),
        ).update(object_repr=Concat(Value(UNNAMED), "object_id"))

    def search(self, term):
        """Signatures whose name or address contains `term`, in any case, found
        through an index at a million rows: PostgreSQL's trigram indexes
        (migration 0002), SQLite's FTS5 trigram table (0008), which needs three
        characters or more; shorter terms read the table."""
        if connections[self.db].vendor == "sqlite" and len(term) >= 3:
            phrase = '"' + term.replace('"', '""') + '"'  # the words as one phrase
            matching = RawSQL(
                "SELECT rowid FROM pledges_signature_search "
                "WHERE pledges_signature_search MATCH %s",
                [phrase],
            )
            return self.filter(pk__in=matching)
        return self.filter(models.Q(name__icontains=term) | models.Q(email__icontains=term))

    def shared_mailboxes(self):
        """Signatures of one letter from one mailbox under several spellings,
        stored before the canonical form read quoted local parts as mail
        servers do (`"gina"@` is `gina@`): {(campaign id, canonical address):
        [signature, …]} for each mailbox with more than one. Only addresses
        with a quote or backslash can differ, so only they are read whole."""
        quoted = self.filter(models.Q(email__contains='"') | models.Q(email__contains="\\"))
        groups = {}
        for signature in quoted.only("campaign_id", "email", "email_canonical", "confirmed_at"):
            canonical = canonical_email(signature.email)
            if canonical != signature.email_canonical:
                groups.setdefault((signature.campaign_id, canonical), []).append(signature)
        for (campaign_id, canonical), signatures in groups.items():
            signatures.extend(self.filter(campaign=campaign_id, email_canonical=canonical))
        return {
            mailbox: sorted(signatures, key=lambda s: s.pk)
            for mailbox, signatures in groups.items()
            if len(signatures) > 1
        }

    def awaiting_review(self):
        """Confirmed signatures with a comment nobody has read yet, oldest first:
        the moderators' queue (index signature_review_queue)."""
        return (
            self.filter(
                status=ModerationStatus.PENDING,
                confirmed_at__isnull=False,
                anonymised_at__isnull=True,
            )
            .exclude(comment="")
            .order_by("created_at", "id")
        )

    def update_recipients(self):
        """Who an update goes to: signers who asked for updates and have not
        stopped them, whose signature counts (confirmed, neither hidden nor
        spam) and is not anonymised (a withdrawn one is gone)."""
        return self.counted().filter(wants_updates=True, anonymised_at__isnull=True)

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

    def older_than(self, created_at, public_id):
        """Those after the signature (created_at, public_id) in the wall's
        order: keyset pagination, as fast on the ten-thousandth page as on the
        first. The cursor names the signature by its public id; its row id,
        the order's tie-break, is read in the same query."""
        # Written as a range on created_at, which the wall index serves directly;
        # "created_at < x OR (created_at = x AND id < y)" made both databases
        # walk the index from the newest row down to the cursor. A cursor whose
        # signature has gone since (0) skips the rare others of its microsecond.
        cursor_id = Coalesce(
            Subquery(self.model.objects.filter(public_id=public_id).values("pk")[:1]), 0
        )
        return self.filter(created_at__lte=created_at).exclude(
            created_at=created_at, pk__gte=cursor_id
        )

    def analyze(self):
        """Refresh the database's statistics of the table (ANALYZE), after a bulk
        load: with statistics from when it was small, PostgreSQL planned the wall
        as a sort of every row (600 ms, not 4)."""
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(self.model._meta.db_table)}")

    def generate(self, campaign, count):
        """Add `count` made-up, confirmed signatures to `campaign` (benchmarks, demos)."""
        industries = list(Industry.values)
        params = {
            "campaign": campaign.pk,
            # A prefix of its own each run, so runs never collide on addresses.
            "prefix": f"generated-{secrets.token_hex(4)}-",
            "count": count,
            "country_count": len(_GENERATED_COUNTRIES),
            "industry_count": len(industries),
        }
        if connection.vendor == "postgresql":
            sql = _GENERATE_POSTGRESQL
            params.update(countries=_GENERATED_COUNTRIES, industries=industries)
        elif connection.vendor == "sqlite":
            sql = _GENERATE_SQLITE
            params.update(
                countries="".join(_GENERATED_COUNTRIES), industries=json.dumps(industries)
            )
        else:
            raise NotImplementedError(f"No fast generator for {connection.vendor}.")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
        self.analyze()
        counting.recount(campaign)

    def store(self, campaign, details, ip_hash, language):
        """Store what a signing form sent for `campaign`: a signature, unless
        its address has one there already, and in every case a Submission of
        the form's `details`, owed an email in `language` (the worker sends it:
        pledges/tasks.py). The signature takes on a submission's choices only
        when the mailbox's owner confirms them (Signature.confirm), so a
        stranger who knows an address cannot set what is published.

        The same statements whether the address is new or not, and the unique
        constraint decides, so that two identical submissions at one instant
        store one signature and the time taken tells nothing. Written by hand,
        not through the ORM: Django's compiler for twenty columns was a fifth
        of a signing request's time.
        """
        now = timezone.now()
        choices = {name: details[name] for name in PUBLIC_CHOICES}
        signature = self.model(
            campaign=campaign,
            email=details["email"],
            ip_hash=ip_hash,
            consent_version=CONSENT_VERSION,
            consented_at=now,
            created_at=now,
            email_language=language,
            # Private, with no updates, until confirmed with its owner's choices.
            **{**choices, "show_name": False, "wants_updates": False},
        )
        signature.set_email(signature.email)
        submission = Submission(
            signature_id=0, language=language, created_at=now, email_requested_at=now, **choices
        )
        statements = _store_sql(connection.vendor)
        signature_values = _db_values(signature)
        submission_values = _db_values(submission, skip={"signature_id"})
        with connection.cursor() as cursor:
            if len(statements) == 1:
                cursor.execute(statements[0], signature_values + submission_values)
                return
            with transaction.atomic(savepoint=False):
                cursor.execute(statements[0], signature_values)
                signature_id = cursor.fetchone()[0]
                cursor.execute(statements[1], [signature_id, *submission_values])

    # The transitions below change what counts; each leaves the count and the
    # tallies right (pledges/counting.py), so no caller has to remember to.

    def moderate(self, status):
        """Set the moderation status of every selected signature; returns how many."""
        with transaction.atomic():
            # Both read before the update: the selection's own filter may be on
            # the status that is about to change.
            campaign_ids = self._campaign_ids()
            leaving = counting.tally_rows(self.counted())
            joining = []
            if status in COUNTED_STATUSES:
                joining = counting.tally_rows(self.filter(confirmed_at__isnull=False))
            updated = self.update(status=status, moderated_at=timezone.now())
            counting.adjust(leaving, joining, campaign_ids)
        return updated

    def delete(self):
        """Delete the selected signatures; those that counted leave the count."""
        with transaction.atomic():
            campaign_ids = self._campaign_ids()
            leaving = counting.tally_rows(self.counted())
            self.forget_names_in_admin_log()
            deleted = super().delete()
            counting.adjust(leaving, [], campaign_ids)
        return deleted

    def bulk_create(self, objs, *args, **kwargs):
        """Store many signatures at once (imports); campaigns gaining some that count
        are recounted."""
        objs = list(objs)
        for signature in objs:
            signature.set_email(signature.email)
        counted_in = {signature.campaign_id for signature in objs if signature.counts}
        if not counted_in:
            return super().bulk_create(objs, *args, **kwargs)
        with transaction.atomic():
            created = super().bulk_create(objs, *args, **kwargs)
            counting.recount_campaigns(counted_in)
        return created

    def _campaign_ids(self):
        return set(self.order_by().values_list("campaign_id", flat=True).distinct())


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
        self.email = normalize_email(address)
        self.email_canonical = canonical_email(self.email)

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

    @property
    def choices(self):
        """The row's own choices (a link sent before submissions were kept
        names none: the confirmation page then shows these)."""
        return {name: getattr(self, name) for name in PUBLIC_CHOICES}

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

        Returns True the first time (see services.confirm_signature)."""
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
                **chosen,
            )
            self.refresh_from_db()
            if newly_confirmed:
                Submission.objects.filter(signature=self.pk).delete()
                if self.counts:
                    counting.count_in(self)
                    self.campaign.refresh_from_db(fields=["signature_total"])
        return bool(newly_confirmed)

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
    def public_name(self):
        """The name as the wall shows it: only with the signer's consent."""
        return self.name if self.show_name else None

    @property
    def public_comment(self):
        """The comment as the wall shows it: only once staff approved it."""
        return self.comment if self.status == self.Status.APPROVED else ""


class SubmissionQuerySet(models.QuerySet):
    def owed_an_email(self):
        """Forms sent whose email (the link, or a note that the address has
        signed) the worker has not sent yet."""
        return self.filter(email_requested_at__lte=timezone.now())

    def expired(self):
        """Older than a confirmation link lives: nothing can apply them any more."""
        return self.filter(
            created_at__lt=timezone.now() - timedelta(days=settings.CONFIRMATION_DAYS)
        )


class Submission(models.Model):
    """One sending of the signing form: the choices its sender made (name,
    whether to show it, comment, country, industry, updates), kept apart from
    the signature. The email it brings links to them (tokens name this row,
    not its details: anyone who sees a link could read what it carried), the
    confirmation page shows them to the mailbox's owner, who may change
    them, and confirming applies what she chose. Deleted once the signature
    is confirmed, with the signature, or after CONFIRMATION_DAYS."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    signature = models.ForeignKey("Signature", on_delete=models.CASCADE, related_name="submissions")
    name = models.CharField(_("name"), max_length=100)
    country = CountryField(_("country"))
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices)
    comment = models.TextField(_("comment"), max_length=500, blank=True)
    show_name = models.BooleanField(_("show name publicly"), default=False)
    wants_updates = models.BooleanField(_("wants updates"), default=False)
    # The page's language: the email's, and the updates' once confirmed.
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Owed its email until the worker claims it (pledges/tasks.py).
    email_requested_at = models.DateTimeField(null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("form sent")
        verbose_name_plural = _("forms sent")
        indexes = [
            # The worker's batch: the few forms owed an email.
            models.Index("email_requested_at", name="submission_email_requested"),
            models.Index("created_at", name="submission_created"),
        ]

    def __str__(self):
        return f"{self.key}"

    @property
    def choices(self):
        """What this form asked to publish, as Signature.confirm() takes it."""
        return {
            **{name: getattr(self, name) for name in PUBLIC_CHOICES},
            "language": self.language,
        }


class BlockedDomainQuerySet(models.QuerySet):
    # Every signing request asks; the table is small and changes rarely. Each
    # process keeps the set for this long (a change made in the admin reaches
    # the other processes within it, and its own at once).
    CACHE_SECONDS = 10
    CACHE_KEY = "blocked-email-domains"

    def blocks_any(self, domains):
        """Whether staff blocked any of `domains`."""
        blocked = caches["local"].get(self.CACHE_KEY)
        if blocked is None:
            blocked = frozenset(self.values_list("domain", flat=True))
            caches["local"].set(self.CACHE_KEY, blocked, self.CACHE_SECONDS)
        return not blocked.isdisjoint(domains)

    @classmethod
    def forget(cls):
        caches["local"].delete(cls.CACHE_KEY)


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

    objects = BlockedDomainQuerySet.as_manager()

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
        BlockedDomainQuerySet.forget()

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        BlockedDomainQuerySet.forget()
        return deleted


class SignatureTally(models.Model):
    """How many of a campaign's signatures that count are in each industry, each
    country and each hour of confirmation: kept as signatures are confirmed and
    withdrawn, like Campaign.signature_total, by pledges/counting.py alone, so
    that the statistics, the "last 24 hours" and the API read a few hundred
    rows, never a million."""

    class Dimension(models.TextChoices):
        INDUSTRY = "industry", _("industry")
        COUNTRY = "country", _("country")
        HOUR = "hour", _("hour confirmed (UTC)")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tallies")
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    value = models.CharField(max_length=20)
    count = models.IntegerField(default=0)

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


UNNAMED = "Signature #"


def signature_number(pk):
    """How a signature without a name (anonymised, withdrawn) is named."""
    return f"{UNNAMED}{pk}"


_SPANISH_UPDATE_HELP = _("Leave blank to send the English text to those who signed in Spanish.")


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
        ]

    def __str__(self):
        return self.subject

    def clean(self):
        super().clean()
        for field in ("subject", "subject_es"):
            if "\n" in getattr(self, field) or "\r" in getattr(self, field):
                raise ValidationError({field: _("A subject is one line.")})

    @property
    def is_draft(self):
        return self.state == self.State.DRAFT

    @property
    def is_stalled(self):
        """Being sent, but no batch taken for STALLED_AFTER: its worker stopped."""
        last = self.last_batch_at or self.send_started_at
        return self.state == self.State.SENDING and (
            last is None or last < timezone.now() - self.STALLED_AFTER
        )

    def recipients(self):
        """Who would get it if it were sent now (once sending starts, the list is kept)."""
        return Signature.objects.filter(campaign=self.campaign_id).update_recipients()


class UpdateDelivery(models.Model):
    """One recipient of one update, listed when sending starts. Claimed by one
    worker before the email is sent, and never claimed again, so that nobody
    gets an update twice, whatever restarts or doubled clicks happen."""

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="deliveries")
    # Withdrawing a signature deletes this row too: nothing of the signer stays.
    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="+")
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


class CommentToReview(Signature):
    """A signature seen as its comment, in the moderators' queue (the admin's
    "Comments to review"): the same rows, another list."""

    class Meta:
        proxy = True
        verbose_name = _("comment to review")
        verbose_name_plural = _("comments to review")

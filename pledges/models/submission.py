import functools
import uuid
from datetime import timedelta
from types import MappingProxyType

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from pledges.consent import CONSENT_VERSION
from pledges.models.choices import PUBLIC_CHOICES, Industry
from pledges.models.signature import Signature


@functools.cache
def _stored_fields(model):
    """The columns a row of `model` is written with, but its id (Django's
    documented _meta API: a field with a column of its own is `concrete`)."""
    return tuple(
        field for field in model._meta.get_fields() if field.concrete and not field.primary_key
    )


@functools.cache
def _store_sql(vendor):
    """SubmissionQuerySet.store()'s statements, made once per kind of database:
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


def _row_values(model, values, skip=()):
    """The parameters of `model`'s row for _store_sql's statements: `values`
    (attname: value) for the columns a signing sets, every other column's
    default (but those in `skip`), each prepared for the database, in the
    statements' order."""
    defaults = _prepared_defaults(model, frozenset(values) | frozenset(skip), connection.vendor)
    return [
        defaults[field.attname]
        if field.attname in defaults
        else field.get_db_prep_save(values[field.attname], connection)
        for field in _stored_fields(model)
        if field.attname not in skip
    ]


@functools.cache
def _prepared_defaults(model, given, vendor):
    """The columns of `model` a signing does not set (`given` are the ones it
    does): their defaults, the same for every row, so prepared for the
    database once per process rather than for each signature. A column whose
    value is made anew for each row (a callable default, like a random key or
    the time, or one only the database knows) must be given."""
    defaults = {}
    for field in _stored_fields(model):
        if field.attname in given:
            continue
        if (field.has_default() and callable(field.default)) or (
            field.has_db_default() and not field.has_default()
        ):
            raise ImproperlyConfigured(
                f"{model.__name__}.{field.attname} takes a value made for each row: "
                "give it to SubmissionQuerySet.prepare_store."
            )
        defaults[field.attname] = field.get_db_prep_save(field.get_default(), connection)
    # Shared by every thread of the process: read-only.
    return MappingProxyType(defaults)


class SubmissionQuerySet(models.QuerySet):
    def store(self, campaign, details, ip_hash, language):
        """Store what a signing form sent (see prepare_store)."""
        self.prepare_store(campaign, details, ip_hash, language)()

    def prepare_store(self, campaign, details, ip_hash, language):
        """What stores what a signing form sent for `campaign`, made ready to
        run: a function of none that writes a signature, unless
        its address has one there already, and in every case a Submission of
        the form's `details`, owed an email in `language` (the worker sends it:
        pledges/tasks.py). The signature takes on a submission's choices only
        when the mailbox's owner confirms them (Signature.confirm), so a
        stranger who knows an address cannot set what is published.

        The same statements whether the address is new or not, and the unique
        constraint decides, so that two identical submissions at one instant
        store one signature and the time taken tells nothing. Written by hand,
        not through the ORM: Django's compiler for twenty columns was a fifth
        of a signing request's time. Nor through model instances: the
        columns a signing leaves at their defaults are prepared once per
        process (_prepared_defaults), where building two instances and
        preparing every column was a sixth of what was left. Every value is
        made here, before the caller takes any lock or transaction, so that
        a writer holds SQLite's one write lock
        (timesup/infrastructure/writes.py) only while the statements run.
        """
        now = timezone.now()
        choices = {name: details[name] for name in PUBLIC_CHOICES}
        signature_values = _row_values(
            Signature,
            {
                "campaign_id": campaign.pk,
                **choices,
                # Private, with no updates, until confirmed with its owner's choices.
                "show_name": False,
                "wants_updates": False,
                **Signature.email_columns(details["email"]),
                "public_id": uuid.uuid4(),
                "ip_hash": ip_hash,
                "consent_version": CONSENT_VERSION,
                "consented_at": now,
                "created_at": now,
                "email_language": language,
                # Counted in its source's figures by the worker (pledges/funnel.py).
                "source": details.get("source", ""),
                "source_pending": True,
            },
        )
        submission_values = _row_values(
            Submission,
            {
                **choices,
                "key": uuid.uuid4(),
                "language": language,
                "created_at": now,
                "email_requested_at": now,
            },
            skip={"signature_id"},
        )
        statements = _store_sql(connection.vendor)

        def write():
            with connection.cursor() as cursor:
                if len(statements) == 1:
                    cursor.execute(statements[0], signature_values + submission_values)
                    return
                with transaction.atomic(savepoint=False):
                    cursor.execute(statements[0], signature_values)
                    signature_id = cursor.fetchone()[0]
                    cursor.execute(statements[1], [signature_id, *submission_values])

        return write

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

"""Signatures in from another petition platform's CSV export: all rows valid, or none stored."""

import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_countries import countries

from pledges.export import FORMULA_TRIGGERS
from pledges.forms import SignerDetailsForm, reject_control_characters
from pledges.models import Industry, Signature

# The names other platforms give each column, ours first.
ALIASES = {
    "name": ["name", "full_name", "full name", "signer", "signature name"],
    "first_name": ["first_name", "first name", "firstname", "given name"],
    "last_name": ["last_name", "last name", "lastname", "surname", "family name"],
    "email": ["email", "email_address", "email address", "e-mail"],
    "country": ["country", "country_code", "country code"],
    "industry": ["industry", "sector"],
    "comment": ["comment", "comments", "reason", "message"],
    "show_name": ["show_name", "public", "display_name", "show name"],
    "created_at": ["created_at", "signed_at", "signed on", "date", "created"],
}
TRUE_WORDS = {"1", "true", "yes", "y", "on", "public"}
BATCH = 1000
IMPORTED_CONSENT = "imported"


@dataclass
class Report:
    rows: int = 0
    created: int = 0
    skipped_duplicates: int = 0
    errors: list = field(default_factory=list)  # (line number, message)


class ImportedSignatureForm(SignerDetailsForm):
    """The signing form's rules for each field, without the checks meant for live bots."""

    def clean_name(self):
        # Other platforms (and our own admin) may hold names with line breaks;
        # keep them, as the export wrote them. Other control characters still fail.
        name = self.cleaned_data["name"]
        reject_control_characters(name, allowed="\n\r\t")
        return name


def _column_map(headers):
    normalised = {header.strip().lower(): header for header in headers or []}
    return {
        ours: next((normalised[a] for a in aliases if a in normalised), None)
        for ours, aliases in ALIASES.items()
    }


def _undo_formula_guard(value):
    # Our own export writes "'=…" for a cell starting with "="; take it back.
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def _country_code(value):
    value = value.strip()
    if len(value) == 2:
        return value.upper()
    return countries.by_name(value) or value


def _industry(value):
    value = value.strip().lower()
    if not value:
        return Industry.OTHER
    by_label = {str(label).lower(): choice for choice, label in Industry.choices}
    return by_label.get(value, value)


def _form_data(record, columns):
    def get(name):
        header = columns[name]
        return _undo_formula_guard(record.get(header) or "") if header else ""

    name = get("name") or " ".join(part for part in (get("first_name"), get("last_name")) if part)
    data = {
        "name": name,
        "email": get("email"),
        "country": _country_code(get("country")),
        "industry": _industry(get("industry")),
        "comment": get("comment"),
    }
    if get("show_name").strip().lower() in TRUE_WORDS:
        data["show_name"] = "on"
    return data


def _signed_at(record, columns):
    header = columns["created_at"]
    value = (record.get(header) or "").strip() if header else ""
    if not value:
        return None
    try:
        moment = parse_datetime(value) or datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"created_at: “{value}” is not a date and time") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def _validated(reader, columns, report):
    """Yield (line, cleaned data, signed at) for every valid row; record the others."""
    for record in reader:
        report.rows += 1
        line = reader.line_num
        form = ImportedSignatureForm(_form_data(record, columns))
        try:
            signed_at = _signed_at(record, columns)
        except ValidationError as error:
            report.errors.append((line, error.messages[0]))
            continue
        if not form.is_valid():
            for name, messages in form.errors.items():
                report.errors.append((line, f"{name}: {' '.join(messages)}"))
            continue
        yield line, form.signature_details(), signed_at


def import_signatures(campaign, open_file):
    """Check every row of the CSV `open_file()` returns, and store them only if all are valid.

    Rows whose address has signed already (in the campaign or earlier in the
    file) are skipped, never duplicated. Imported signatures count as
    confirmed: their platform confirmed them, and the count follows
    (Signature.objects.bulk_create). The checked rows are kept in memory
    between checking and storing, about half a kilobyte each.
    """
    report = Report()
    with open_file() as file:
        reader = csv.DictReader(file)
        columns = _column_map(reader.fieldnames)
        if not columns["email"] or not (columns["name"] or columns["first_name"]):
            report.errors.append((1, "the header needs an email column and a name column"))
            return report
        rows = [
            (details, signed_at) for _, details, signed_at in _validated(reader, columns, report)
        ]
    if report.errors:
        return report

    seen, new, batch = set(), [], []
    with transaction.atomic():
        for details, signed_at in rows:
            moment = signed_at or timezone.now()
            signature = Signature(
                campaign=campaign,
                created_at=moment,
                confirmed_at=moment,
                consented_at=moment,
                consent_version=IMPORTED_CONSENT,
                **details,
            )
            signature.set_email(signature.email)
            if signature.email_canonical in seen:
                report.skipped_duplicates += 1
                continue
            seen.add(signature.email_canonical)
            batch.append(signature)
            if len(batch) >= BATCH:
                new += _not_signed_yet(campaign, batch, report)
                batch = []
        new += _not_signed_yet(campaign, batch, report)
        # One bulk_create, inserted BATCH rows at a time: the letter is
        # recounted once, at the end, not after every batch.
        Signature.objects.bulk_create(new, batch_size=BATCH)
        report.created = len(new)
    if report.created >= BATCH:
        Signature.objects.analyze()
    return report


def _not_signed_yet(campaign, batch, report):
    """Those of `batch` whose address has not signed `campaign` yet."""
    existing = set(
        Signature.objects.filter(
            campaign=campaign, email_canonical__in=[s.email_canonical for s in batch]
        ).values_list("email_canonical", flat=True)
    )
    new = [signature for signature in batch if signature.email_canonical not in existing]
    report.skipped_duplicates += len(batch) - len(new)
    return new

"""Signatures out of the site: CSV that is safe to open in a spreadsheet, or JSON Lines.

Both stream a row at a time from a database cursor, so memory stays flat
however many signatures a campaign holds.
"""

import csv
import json

COLUMNS = [
    ("id", "id"),
    ("campaign", "campaign__slug"),
    ("name", "name"),
    ("email", "email"),
    ("country", "country"),
    ("industry", "industry"),
    ("comment", "comment"),
    ("show_name", "show_name"),
    ("status", "status"),
    ("created_at", "created_at"),
    ("confirmed_at", "confirmed_at"),
    ("source", "source"),
]

# Those who asked for updates: whom to write to, in which language, and the
# record of their consent.
UPDATE_RECIPIENT_COLUMNS = [
    ("id", "id"),
    ("campaign", "campaign__slug"),
    ("name", "name"),
    ("email", "email"),
    ("language", "email_language"),
    ("updates_consent_version", "updates_consent_version"),
    ("updates_consented_at", "updates_consented_at"),
]

# A cell starting with one of these is read as a formula by Excel, LibreOffice
# and Google Sheets: "=HYPERLINK(…)" in a signer's name would run on the
# staff member's machine. A leading apostrophe makes the cell plain text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _rows(signatures, columns=COLUMNS):
    rows = signatures.order_by("pk").values_list(*(field for _, field in columns))
    return rows.iterator(chunk_size=2000)


class _Echo:
    """A file-like object whose write() hands the line back, for streaming."""

    def write(self, line):
        return line


def csv_lines(signatures, columns=COLUMNS):
    """Yield the CSV of `signatures`, header first, a line at a time."""
    return csv_rows([[header for header, _ in columns]], _rows(signatures, columns))


def csv_rows(*rows):
    """Yield CSV lines of the rows of each iterable in `rows`, in turn, every
    cell safe to open in a spreadsheet."""
    writer = csv.writer(_Echo())
    # The byte-order mark tells Excel the file is UTF-8, so names in any
    # script open as typed.
    yield "\ufeff"
    for part in rows:
        for row in part:
            yield writer.writerow([spreadsheet_safe(value) for value in row])


def jsonl_lines(signatures):
    """Yield one JSON object per signature, a line each."""
    headers = [header for header, _ in COLUMNS]
    for row in _rows(signatures):
        record = dict(zip(headers, row, strict=True))
        for field in ("created_at", "confirmed_at"):
            if record[field] is not None:
                record[field] = record[field].isoformat()
        yield json.dumps(record, ensure_ascii=False) + "\n"

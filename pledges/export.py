"""Signatures as CSV rows that are safe to open in a spreadsheet."""

import csv

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
]

# A cell starting with one of these is read as a formula by Excel, LibreOffice
# and Google Sheets: "=HYPERLINK(…)" in a signer's name would run on the
# staff member's machine. A leading apostrophe makes the cell plain text.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_TRIGGERS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() hands the line back, for streaming."""

    def write(self, line):
        return line


def csv_lines(signatures):
    """Yield the CSV, header first, a line at a time: memory stays flat however many rows."""
    writer = csv.writer(_Echo())
    # The byte-order mark tells Excel the file is UTF-8, so names in any
    # script open as typed.
    yield "\ufeff" + writer.writerow([header for header, _ in COLUMNS])
    rows = signatures.order_by("pk").values_list(*(field for _, field in COLUMNS))
    for row in rows.iterator(chunk_size=2000):
        yield writer.writerow([spreadsheet_safe(value) for value in row])

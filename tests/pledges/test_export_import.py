"""The campaign's data is the campaign's: export it all, import from elsewhere, round trip."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from pledges.models import Signature, SignatureLog
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db

TRICKY_NAMES = [
    "Ana, Pérez",
    'Bea "B" Smith',
    "Line\nBreak",
    "李小龙",
    "Ἀλέξανδρος",
    "محمد",
    '=HYPERLINK("http://evil")',
    "+1 555",
    "-Dash",
    "@handle",
]


def export(campaign, format="csv"):
    out = io.StringIO()
    call_command("export_signatures", campaign.slug, format=format, stdout=out)
    return out.getvalue()


def import_file(campaign, path):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_signatures", campaign.slug, str(path), stdout=out, stderr=err)
    return out.getvalue()


def test_csv_export_holds_every_signature_with_formulas_defused():
    campaign = make_campaign()
    for n, name in enumerate(TRICKY_NAMES):
        make_signature(campaign, name=name, email=f"s{n}@example.org")
    make_signature(make_campaign(), name="Other campaign")

    rows = list(csv.DictReader(io.StringIO(export(campaign).lstrip("\ufeff"))))

    assert [row["name"] for row in rows] == [
        "'" + name if name[0] in "=+-@" else name for name in TRICKY_NAMES
    ]
    assert {row["campaign"] for row in rows} == {campaign.slug}


def test_jsonl_export_writes_one_object_per_line():
    campaign = make_campaign()
    make_signature(campaign, name="李小龙", email="li@example.org", country="CN")

    [line] = export(campaign, format="jsonl").splitlines()
    record = json.loads(line)

    assert (record["name"], record["email"], record["country"]) == (
        "李小龙",
        "li@example.org",
        "CN",
    )
    assert record["created_at"].endswith("+00:00")


def test_export_and_import_round_trip_every_kind_of_name(tmp_path):
    source, target = make_campaign(), make_campaign()
    for n, name in enumerate(TRICKY_NAMES):
        make_signature(source, name=name, email=f"s{n}@example.org", comment=f"Ünïcode {name}")
    path = tmp_path / "export.csv"
    path.write_text(export(source), encoding="utf-8")

    output = import_file(target, path)

    assert "Imported 10 signatures" in output
    imported = {s.email: s for s in Signature.objects.filter(campaign=target)}
    for original in Signature.objects.filter(campaign=source):
        copy = imported[original.email]
        assert (copy.name, copy.comment, copy.country, copy.industry, copy.show_name) == (
            original.name,
            original.comment,
            original.country,
            original.industry,
            original.show_name,
        )
        assert copy.created_at == original.created_at
        assert copy.is_confirmed


def write_csv(path, rows, header=("name", "email", "country", "industry")):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_a_file_with_bad_rows_reports_each_one_and_stores_none(tmp_path):
    campaign = make_campaign()
    path = write_csv(
        tmp_path / "bad.csv",
        [
            ("Good Row", "good@example.org", "FR", "law"),
            ("No Email", "", "FR", "law"),
            ("Bad Country", "c@example.org", "Atlantis", "law"),
            ("Bad Industry", "i@example.org", "FR", "astrology"),
        ],
    )
    err = io.StringIO()

    with pytest.raises(CommandError, match="3 problem"):
        call_command("import_signatures", campaign.slug, str(path), stderr=err)

    report = err.getvalue()
    assert "line 3: email: Enter your email address." in report
    assert "line 4: country:" in report
    assert "line 5: industry:" in report
    assert Signature.objects.count() == 0


def test_import_never_duplicates_an_address_that_has_signed(tmp_path):
    campaign = make_campaign()
    make_signature(campaign, email="ana@gmail.com", name="Already Here")
    path = write_csv(
        tmp_path / "dupes.csv",
        [
            ("Ana Again", "A.N.A+x@gmail.com", "MX", "law"),
            ("Bea", "bea@example.org", "MX", "law"),
            ("Bea Twice", "BEA@example.org", "MX", "law"),
        ],
    )

    output = import_file(campaign, path)

    assert "Imported 1 signatures; skipped 2" in output
    assert sorted(Signature.objects.values_list("name", flat=True)) == ["Already Here", "Bea"]


def test_a_large_import_recounts_the_letter_once_at_the_end(tmp_path):
    campaign = make_campaign()
    rows = [(f"Signer {n}", f"signer{n}@example.org", "MX", "law") for n in range(2_500)]
    path = write_csv(tmp_path / "large.csv", rows)

    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        output = import_file(campaign, path)

    assert "Imported 2500 signatures" in output
    recounts = [sql for sql in statements if sql.startswith('UPDATE "campaign_campaign"')]
    assert len(recounts) == 1
    campaign.refresh_from_db()
    assert campaign.signature_total == 2_500
    # And their "add" entries in the letter's public log, in one batch: one INSERT.
    entry_inserts = [sql for sql in statements if sql.startswith('INSERT INTO "pledges_logentry"')]
    assert len(entry_inserts) == 1
    assert SignatureLog.objects.get(campaign=campaign).count == 2_500


def test_import_understands_other_platforms_column_names(tmp_path):
    campaign = make_campaign()
    path = write_csv(
        tmp_path / "other.csv",
        [("Ana", "Pérez", "ana@example.org", "Mexico", "yes", "2018-01-01T10:00:00Z")],
        header=("First Name", "Last Name", "Email Address", "Country", "Public", "Signed On"),
    )

    import_file(campaign, path)

    signature = Signature.objects.get()
    assert (signature.name, signature.country.code, signature.industry) == (
        "Ana Pérez",
        "MX",
        "other",
    )
    assert signature.show_name
    assert signature.created_at.year == 2018


def test_import_refuses_a_file_without_name_and_email_columns(tmp_path):
    path = write_csv(tmp_path / "wrong.csv", [("x",)], header=("something",))

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_signatures", make_campaign().slug, str(path), stderr=io.StringIO())


def test_an_unknown_campaign_is_a_clear_error():
    with pytest.raises(CommandError, match="No campaign with the slug"):
        call_command("export_signatures", "no-such-campaign")


def test_generate_signatures_makes_valid_confirmed_rows_fast_and_counts_them():
    campaign = make_campaign()

    call_command("generate_signatures", campaign.slug, count=120, stdout=io.StringIO())
    call_command("generate_signatures", campaign.slug, count=30, stdout=io.StringIO())

    campaign.refresh_from_db()
    assert campaign.signature_total == 150
    assert Signature.objects.filter(campaign=campaign).counted().count() == 150
    assert Signature.objects.values("email_canonical").distinct().count() == 150
    newest = Signature.objects.filter(campaign=campaign).wall().first()
    assert newest.name in {"Signer 30", "Signer 120"}
    assert newest.get_industry_display()
    assert newest.country.name

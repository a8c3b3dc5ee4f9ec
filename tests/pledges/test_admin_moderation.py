import csv
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from pledges.models import Signature
from tests.conftest import HttpsClient, count_shown
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:pledges_signature_changelist")


def run_action(client, action, signatures):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [s.pk for s in signatures]}
    )


def listed_names(response):
    return [signature.name for signature in response.context["cl"].result_list]


def test_staff_search_signatures_by_name_and_by_email(admin_client, campaign):
    make_signature(campaign, name="Ana Pérez", email="ana@example.org")
    make_signature(campaign, name="Bea Smith", email="bea@example.net")

    assert listed_names(admin_client.get(CHANGELIST, {"q": "Pérez"})) == ["Ana Pérez"]
    assert listed_names(admin_client.get(CHANGELIST, {"q": "bea@example"})) == ["Bea Smith"]
    assert listed_names(admin_client.get(CHANGELIST, {"q": "BEA@example.net"})) == ["Bea Smith"]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("lucía", ["Ana Lucía Pérez"]),
        ("LUCÍA PÉ", ["Ana Lucía Pérez"]),  # any case, letters beyond ASCII too
        ("An", ["Ana Lucía Pérez"]),  # shorter than the index's trigrams
        ("example.net", ["Bea Smith"]),  # part of an address
        ('Pé"rez', []),  # a quote is a character to look for, not syntax
    ],
)
def test_the_search_finds_a_part_of_a_name_or_an_address(admin_client, campaign, term, expected):
    make_signature(campaign, name="Ana Lucía Pérez", email="ana@example.org")
    make_signature(campaign, name="Bea Smith", email="bea@example.net")

    assert listed_names(admin_client.get(CHANGELIST, {"q": term})) == expected


def test_the_search_follows_edits_withdrawals_and_anonymising(admin_client, campaign):
    renamed = make_signature(campaign, name="Old Name")
    renamed.name = "New Name"
    renamed.save()
    make_signature(campaign, name="Gone Signer").withdraw()
    Signature.objects.filter(pk=make_signature(campaign, name="Anon Signer").pk).anonymise()

    assert listed_names(admin_client.get(CHANGELIST, {"q": "New Name"})) == ["New Name"]
    assert listed_names(admin_client.get(CHANGELIST, {"q": "Old Name"})) == []
    assert listed_names(admin_client.get(CHANGELIST, {"q": "Gone Signer"})) == []
    assert listed_names(admin_client.get(CHANGELIST, {"q": "Anon Signer"})) == []


def test_a_whole_address_finds_its_signature_whatever_the_dots_and_tags(admin_client, campaign):
    make_signature(campaign, name="Gmail User", email="ana.perez@gmail.com")

    response = admin_client.get(CHANGELIST, {"q": "AnaPerez+x@gmail.com"})

    assert listed_names(response) == ["Gmail User"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "spam"}, ["Spam"]),
        ({"country": "FR"}, ["French"]),
        ({"industry__exact": "agriculture"}, ["Farmer"]),
    ],
)
def test_staff_filter_signatures(admin_client, campaign, query, expected):
    make_signature(campaign, name="Spam", status=Signature.Status.SPAM)
    make_signature(campaign, name="French", country="FR")
    make_signature(campaign, name="Farmer", industry="agriculture", country="MX")

    assert listed_names(admin_client.get(CHANGELIST, query)) == expected


def test_staff_filter_signatures_by_campaign(admin_client, campaign):
    other = make_campaign()
    make_signature(campaign, name="Here")
    make_signature(other, name="There")

    response = admin_client.get(CHANGELIST, {"campaign__id__exact": other.pk})

    assert listed_names(response) == ["There"]


def test_hide_action_takes_signatures_off_the_wall_and_the_count(admin_client, client, campaign):
    keep = make_signature(campaign, name="Keep me")
    hide = make_signature(campaign, name="Hide me")

    run_action(admin_client, "hide", [hide])

    hide.refresh_from_db()
    assert hide.status == Signature.Status.HIDDEN
    assert hide.moderated_at is not None
    wall = client.get(reverse("pledges:wall"))
    assert "Hide me" not in wall.content.decode()
    assert keep.name in wall.content.decode()
    assert count_shown(wall) == 1


def test_spam_action_takes_signatures_off_the_wall_and_the_count(admin_client, client, campaign):
    spam = make_signature(campaign, name="Buy pills")

    run_action(admin_client, "mark_as_spam", [spam])

    spam.refresh_from_db()
    assert spam.status == Signature.Status.SPAM
    assert count_shown(client.get(reverse("campaign:home"))) == 0


def test_approve_action_publishes_the_comment(admin_client, client, campaign):
    signature = make_signature(campaign, comment="No more silence.")

    run_action(admin_client, "approve", [signature])

    signature.refresh_from_db()
    assert signature.status == Signature.Status.APPROVED
    assert "No more silence." in client.get(reverse("pledges:wall")).content.decode()


def test_actions_touch_only_the_selected_signatures(admin_client, campaign):
    selected = make_signature(campaign)
    untouched = make_signature(campaign)

    run_action(admin_client, "mark_as_spam", [selected])

    untouched.refresh_from_db()
    assert untouched.status == Signature.Status.PENDING


def exported_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_csv_export_holds_the_selected_signatures(admin_client, campaign):
    chosen = make_signature(
        campaign, name="Ana, “the” Pérez\nJr", email="ana@example.org", country="MX", comment="Sí"
    )
    make_signature(campaign, name="Not chosen")

    response = run_action(admin_client, "export_csv", [chosen])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="signatures-')
    [row] = exported_rows(response)
    assert row["name"] == "Ana, “the” Pérez\nJr"
    assert row["email"] == "ana@example.org"
    assert row["country"] == "MX"
    assert row["comment"] == "Sí"
    assert row["campaign"] == campaign.slug


@pytest.mark.parametrize(
    "formula", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_csv_export_defuses_spreadsheet_formulas(admin_client, campaign, formula):
    signature = make_signature(campaign, name=formula, comment=formula)

    [row] = exported_rows(run_action(admin_client, "export_csv", [signature]))

    assert row["name"] == "'" + formula
    assert row["comment"] == "'" + formula


def staff_client(*permissions):
    """A logged-in staff member who holds exactly these permissions."""
    staff = User.objects.create_user("staff", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=permissions))
    client = HttpsClient()
    client.force_login(staff)
    return client


def test_staff_without_the_export_permission_cannot_export(campaign):
    client = staff_client("view_signature", "change_signature")
    signature = make_signature(campaign)

    changelist = client.get(CHANGELIST)
    response = run_action(client, "export_csv", [signature])

    assert changelist.status_code == 200
    assert "export_csv" not in changelist.content.decode()
    assert response.get("Content-Type") != "text/csv; charset=utf-8"
    assert not hasattr(response, "streaming_content")


def test_staff_with_the_export_permission_can_export(campaign):
    client = staff_client("view_signature", "export_signature")
    signature = make_signature(campaign)

    rows = exported_rows(run_action(client, "export_csv", [signature]))

    assert len(rows) == 1


def test_staff_cannot_add_signatures_by_hand(admin_client):
    response = admin_client.get(reverse("admin:pledges_signature_add"))

    assert response.status_code == 403


def test_visitors_cannot_reach_the_admin(client, campaign):
    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert "/admin/login/" in response.url

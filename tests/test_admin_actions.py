"""Every admin action asks for the permission to do what it does, and is kept
in the admin log like an edit (issue 20, item 3)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from campaign.models import Campaign
from pledges.models import Update
from tests.conftest import HttpsClient
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db

CAMPAIGNS = reverse("admin:campaign_campaign_changelist")


def staff_with(*codenames):
    user = User.objects.create_user(
        "staff", "staff@example.org", "a-long-password-1", is_staff=True
    )
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = HttpsClient()
    client.force_login(user)
    return client


def every_admin_action():
    for model in apps.get_models(include_auto_created=True):
        if not admin.site.is_registered(model):
            continue
        model_admin = admin.site.get_model_admin(model)
        for name in model_admin.actions or ():
            action = getattr(model_admin, name) if isinstance(name, str) else name
            yield f"{model.__name__}.{getattr(action, '__name__', name)}", action


@pytest.mark.parametrize(("name", "action"), list(every_admin_action()))
def test_every_admin_action_asks_for_more_than_the_view_permission(name, action):
    permissions = getattr(action, "allowed_permissions", ())
    assert permissions, f"{name} declares no permissions: any staff member could run it"
    assert set(permissions) != {"view"}, f"{name} needs only the view permission"


def test_staff_who_may_only_view_letters_cannot_close_one(campaign):
    viewer = staff_with("view_campaign")

    viewer.post(CAMPAIGNS, {"action": "close_signing", "_selected_action": [campaign.pk]})

    campaign.refresh_from_db()
    assert campaign.signing_open
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize(
    ("action", "message", "fields"),
    [
        ("close_signing", "Closed signing", {"signing_open": True}),
        ("open_signing", "Opened signing", {"signing_open": False}),
        ("publish", "Published", {"published_at": None}),
        ("feature", "Featured (served at the home page)", {}),
    ],
)
def test_each_letter_action_is_logged_like_an_edit(action, message, fields):
    letter = make_campaign(**fields)
    editor = staff_with("view_campaign", "change_campaign")

    editor.post(CAMPAIGNS, {"action": action, "_selected_action": [letter.pk]})

    entry = LogEntry.objects.get()
    assert (entry.object_id, entry.get_change_message()) == (str(letter.pk), message)
    assert entry.user.username == "staff"


def test_an_action_that_changes_nothing_logs_nothing(campaign):
    editor = staff_with("view_campaign", "change_campaign")

    editor.post(CAMPAIGNS, {"action": "open_signing", "_selected_action": [campaign.pk]})

    assert campaign.signing_open
    assert not LogEntry.objects.exists()


def test_exporting_signatures_is_logged_once_per_letter(campaign):
    other = make_campaign()
    rows = [make_signature(campaign) for _ in range(3)] + [make_signature(other)]
    exporter = staff_with("view_signature", "export_signature")

    response = exporter.post(
        reverse("admin:pledges_signature_changelist"),
        {"action": "export_csv", "_selected_action": [row.pk for row in rows]},
    )
    b"".join(response.streaming_content)

    entries = LogEntry.objects.order_by("object_id")
    assert [(e.object_id, e.get_change_message()) for e in entries] == [
        (str(campaign.pk), "Exported its signatures as CSV"),
        (str(other.pk), "Exported its signatures as CSV"),
    ]
    assert {e.content_type.model_class() for e in entries} == {Campaign}


def test_sending_an_update_is_logged(campaign):
    update = Update.objects.create(campaign=campaign, subject="News", body="Hello")
    sender = staff_with("view_update", "change_update", "send_update")

    sender.post(
        reverse("admin:pledges_update_changelist"),
        {"action": "send_to_signers", "_selected_action": [update.pk], "confirmed": "yes"},
    )

    entry = LogEntry.objects.get()
    assert (entry.object_id, entry.get_change_message()) == (
        str(update.pk),
        "Started sending to its signers",
    )

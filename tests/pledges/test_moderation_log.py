import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from tests.factories import make_featured_campaign, make_signature

pytestmark = pytest.mark.django_db


def test_every_moderation_action_is_recorded_with_who_and_what(admin_client, admin_user):
    signature = make_signature(make_featured_campaign())

    admin_client.post(
        reverse("admin:pledges_signature_changelist"),
        {"action": "mark_as_spam", "_selected_action": [signature.pk]},
    )

    entry = LogEntry.objects.get()
    assert entry.user == admin_user
    assert entry.object_id == str(signature.pk)
    assert "Spam" in entry.get_change_message()
    assert entry.action_time is not None


def test_the_moderation_log_is_visible_in_the_admin_and_read_only(admin_client):
    signature = make_signature(make_featured_campaign())
    admin_client.post(
        reverse("admin:pledges_signature_changelist"),
        {"action": "hide", "_selected_action": [signature.pk]},
    )

    page = admin_client.get(reverse("admin:admin_logentry_changelist")).content.decode()

    assert f"{signature.name} (#{signature.pk})" in page
    assert "Marked “Hidden”" in page
    assert admin_client.get(reverse("admin:admin_logentry_add")).status_code == 403

"""What moderators meet in the admin: signatures named by their signer, a log
in words, compact filters, their own index, and a queue of comments to read."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse

from campaign.models import Campaign
from pledges.models import Signature
from tests.conftest import HttpsClient
from tests.factories import make_featured_campaign, make_signature

pytestmark = pytest.mark.django_db

SIGNATURES = reverse("admin:pledges_signature_changelist")
QUEUE = reverse("admin:pledges_commenttoreview_changelist")


@pytest.fixture
def moderator():
    user = User.objects.create_user("mod", "mod@example.org", "a-long-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    client = HttpsClient()
    client.force_login(user)
    return client


def test_a_signature_is_named_by_its_signer_in_messages_and_history(admin_client, campaign):
    signature = make_signature(campaign, name="Ana Pérez")

    response = admin_client.post(
        SIGNATURES, {"action": "hide", "_selected_action": [signature.pk]}, follow=True
    )
    history = admin_client.get(reverse("admin:pledges_signature_history", args=[signature.pk]))

    assert f"Ana Pérez (#{signature.pk})" in history.content.decode()
    assert LogEntry.objects.get().object_repr == f"Ana Pérez (#{signature.pk})"
    assert response.status_code == 200


def test_a_withdrawn_signers_name_leaves_the_moderation_log(admin_client, campaign):
    signature = make_signature(campaign, name="Ana Pérez")
    admin_client.post(SIGNATURES, {"action": "hide", "_selected_action": [signature.pk]})
    other = make_signature(campaign, name="Bea Still Here")
    admin_client.post(SIGNATURES, {"action": "approve", "_selected_action": [other.pk]})

    anonymised = make_signature(campaign, name="Cleo Anonymised")
    admin_client.post(SIGNATURES, {"action": "approve", "_selected_action": [anonymised.pk]})

    signature.withdraw()
    Signature.objects.filter(pk=anonymised.pk).anonymise()

    reprs = set(LogEntry.objects.values_list("object_repr", flat=True))
    assert reprs == {
        f"Signature #{signature.pk}",
        f"Signature #{anonymised.pk}",
        f"Bea Still Here (#{other.pk})",
    }


def test_saving_a_campaign_logs_only_what_changed_not_line_endings(admin_client):
    campaign = make_featured_campaign(
        statement="First paragraph.\n\nSecond.", letter_text="We stand.\n\nTogether."
    )
    form = {
        "title": campaign.title,
        "slug": campaign.slug,
        # As a browser sends a textarea: CR LF.
        "statement": campaign.statement.replace("\n", "\r\n"),
        "letter_text": campaign.letter_text.replace("\n", "\r\n"),
        "hashtag": campaign.hashtag,
        "signature_goal": campaign.signature_goal,
        "donation_label": campaign.donation_label,
        "donation_url": campaign.donation_url,
        "is_featured": "on",
        "signing_open": "",  # unticked
    }

    admin_client.post(reverse("admin:campaign_campaign_change", args=[campaign.pk]), form)

    entry = LogEntry.objects.get()
    assert entry.get_change_message() == "Changed Signing open."
    assert Campaign.objects.get().statement == "First paragraph.\n\nSecond."


def test_the_log_entries_list_shows_changes_in_words(admin_client, campaign):
    signature = make_signature(campaign)
    admin_client.post(SIGNATURES, {"action": "approve", "_selected_action": [signature.pk]})
    LogEntry.objects.update(change_message='[{"changed": {"fields": ["Status"]}}]')

    page = admin_client.get(reverse("admin:admin_logentry_changelist")).content.decode()

    assert "Changed Status." in page
    assert "&quot;changed&quot;" not in page and '{"changed"' not in page


def test_the_signature_filters_are_compact_and_say_confirmed(admin_client, campaign):
    make_signature(campaign, country="MX")
    make_signature(campaign, country="KE")

    page = admin_client.get(SIGNATURES).content.decode()

    assert "?country=MX" in page and "?country=KE" in page
    assert "?country=FR" not in page  # not 250 countries: those with signatures
    assert "Not confirmed" in page and ">Confirmed<" in page
    assert "Not empty" not in page
    assert admin_client.get(SIGNATURES, {"confirmed": "no"}).status_code == 200


def test_a_moderator_sees_what_they_use_first_and_not_the_machinery(moderator):
    page = moderator.get(reverse("admin:index")).content.decode()

    assert page.index("Signatures") < page.index("Comments to review") < page.index("Log entries")
    for machinery in ["Axes", "TOTP", "Tasks", "Groups", "Campaigns"]:
        assert machinery not in page


def test_the_review_queue_lists_waiting_comments_oldest_first_with_a_count(moderator, campaign):
    older = make_signature(campaign, name="Older", comment="First to arrive")
    newer = make_signature(campaign, name="Newer", comment="Second")
    make_signature(campaign, name="No comment", comment="")
    make_signature(campaign, name="Done", comment="Read", status=Signature.Status.APPROVED)
    make_signature(campaign, name="Unconfirmed", comment="Not yet", confirmed_at=None)

    page = moderator.get(QUEUE).content.decode()

    assert "2 comments awaiting review" in page
    assert page.index("First to arrive") < page.index("Second")
    assert "No comment" not in page and "Unconfirmed" not in page and ">Done<" not in page
    assert older.pk and newer.pk


def test_one_click_approves_or_hides_a_comment_and_it_leaves_the_queue(moderator, campaign):
    signature = make_signature(campaign, name="Ana", comment="Fuerza")
    page = moderator.get(QUEUE).content.decode()
    approve = reverse("admin:pledges_commenttoreview_verdict", args=[signature.pk, "approve"])
    assert f'formaction="{approve}"' in page

    response = moderator.post(approve, follow=True)

    signature.refresh_from_db()
    assert signature.status == Signature.Status.APPROVED
    assert "0 comments awaiting review" in response.content.decode()
    assert LogEntry.objects.get().get_change_message() == "Marked “Approved” (review queue)"
    assert moderator.get(approve).status_code == 405  # a link cannot moderate


@pytest.mark.django_db(transaction=True)
def test_the_moderators_group_is_there_after_every_migrate():
    Group.objects.filter(name="Moderators").delete()

    call_command("migrate", verbosity=0)

    group = Group.objects.get(name="Moderators")
    assert set(group.permissions.values_list("codename", flat=True)) == {
        "view_signature",
        "change_signature",
        "view_blockeddomain",
        "add_blockeddomain",
        "change_blockeddomain",
        "delete_blockeddomain",
        "view_logentry",
    }

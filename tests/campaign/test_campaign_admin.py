import pytest
from django.urls import reverse

from campaign.models import Campaign
from pledges.models import Signature
from tests.factories import make_campaign, make_featured_campaign, make_signature

pytestmark = pytest.mark.django_db


def test_staff_edit_every_field_of_a_campaign(admin_client):
    campaign = make_campaign()
    url = reverse("admin:campaign_campaign_change", args=[campaign.pk])

    response = admin_client.post(
        url,
        {
            "title": "Time's Up",
            "slug": "timesup",
            "statement": "New statement",
            "letter_text": "New letter",
            "hashtag": "#TIMESUP",
            "signature_goal": "250000",
            "donation_label": "Donate",
            "donation_url": "https://example.org/fund",
            "signing_open": "",
            "is_featured": "on",
        },
    )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.title, campaign.slug, campaign.statement, campaign.letter_text) == (
        "Time's Up",
        "timesup",
        "New statement",
        "New letter",
    )
    assert campaign.signature_goal == 250000
    assert campaign.donation_url == "https://example.org/fund"
    assert not campaign.signing_open
    assert campaign.is_featured


def test_admin_form_refuses_a_second_featured_campaign_with_a_message(admin_client):
    make_featured_campaign()
    other = make_campaign()

    response = admin_client.post(
        reverse("admin:campaign_campaign_change", args=[other.pk]),
        {
            "title": other.title,
            "slug": other.slug,
            "statement": other.statement,
            "letter_text": other.letter_text,
            "signature_goal": "10",
            "is_featured": "on",
        },
    )

    assert response.status_code == 200
    assert "Another campaign is already featured" in response.content.decode()
    other.refresh_from_db()
    assert not other.is_featured


def test_feature_action_switches_the_featured_campaign(admin_client):
    first = make_featured_campaign()
    second = make_campaign()

    admin_client.post(
        reverse("admin:campaign_campaign_changelist"),
        {"action": "feature", "_selected_action": [second.pk]},
    )

    assert Campaign.objects.get(is_featured=True) == second
    first.refresh_from_db()
    assert not first.is_featured


def test_campaign_list_shows_each_campaigns_count_without_hidden_ones(admin_client):
    campaign = make_featured_campaign(title="Counted")
    for _ in range(3):
        make_signature(campaign)
    make_signature(campaign, status=Signature.Status.SPAM)

    response = admin_client.get(reverse("admin:campaign_campaign_changelist"))

    assert '<td class="field-signature_total">3</td>' in response.content.decode()


def test_saving_a_campaign_read_before_new_signatures_keeps_their_count():
    campaign = make_featured_campaign()
    read_by_staff = Campaign.objects.get(pk=campaign.pk)  # the admin's form, opened
    make_signature(campaign)
    make_signature(campaign)

    read_by_staff.signing_open = False
    read_by_staff.save()

    campaign.refresh_from_db()
    assert campaign.signature_total == 2
    assert not campaign.signing_open

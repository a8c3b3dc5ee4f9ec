"""The count's progress toward the goal, the last day's signatures, and the
featured voices on the campaign page."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from campaign.models import Campaign
from pledges.models import Signature
from tests.factories import make_featured_campaign, make_signature

pytestmark = pytest.mark.django_db

HOME = reverse("campaign:home")


def test_the_progress_bar_shows_the_count_against_the_goal(client):
    campaign = make_featured_campaign(signature_goal=40)
    for _ in range(10):
        make_signature(campaign)

    page = client.get(HOME).content.decode()

    assert '<progress class="progress" max="40" value="10"' in page
    assert "25% of the goal" in page


def test_a_goal_passed_shows_past_one_hundred_percent():
    campaign = make_featured_campaign(signature_goal=4)
    for _ in range(5):
        make_signature(campaign)

    campaign.refresh_from_db()
    assert campaign.progress_percent() == 125


def test_the_last_day_counts_only_signatures_that_count_confirmed_in_24_hours(client):
    campaign = make_featured_campaign()
    now = timezone.now()
    make_signature(campaign, confirmed_at=now - timedelta(hours=1))
    make_signature(campaign, confirmed_at=now - timedelta(hours=23))
    make_signature(campaign, confirmed_at=now - timedelta(hours=25))  # too old
    make_signature(campaign, confirmed_at=None)  # not confirmed
    make_signature(campaign, status=Signature.Status.HIDDEN)
    make_signature(campaign, status=Signature.Status.SPAM)
    make_signature(_other_campaign())  # another campaign's

    page = client.get(HOME).content.decode()

    assert "2 signatures in the last 24 hours" in page


def _other_campaign():
    return Campaign.objects.create(
        title="Other", slug="other", statement="s", letter_text="l", hashtag="#O"
    )


def test_featured_voices_show_founding_signers_first_then_in_signing_order(client):
    campaign = make_featured_campaign()
    now = timezone.now()
    make_signature(
        campaign, name="Early Voice", is_featured=True, quote="First", created_at=now - timedelta(2)
    )
    make_signature(campaign, name="Later Voice", is_featured=True, quote="Second")
    make_signature(
        campaign, name="Founder", is_featured=True, is_founding_signer=True, quote="Time's up."
    )
    make_signature(campaign, name="Not Featured", quote="Unseen")

    page = client.get(HOME).content.decode()

    assert page.index("Founder") < page.index("Early Voice") < page.index("Later Voice")
    assert "Time&#x27;s up." in page
    assert "Not Featured" not in page


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Signature.Status.HIDDEN},
        {"status": Signature.Status.SPAM},
        {"confirmed_at": None},
        {"show_name": False},  # their name is private: never featured
    ],
)
def test_a_featured_signature_that_does_not_count_or_is_private_is_not_shown(client, fields):
    campaign = make_featured_campaign()
    make_signature(campaign, name="Quiet Voice", is_featured=True, quote="Words", **fields)

    page = client.get(HOME).content.decode()

    assert "Quiet Voice" not in page
    assert "Voices from the letter" not in page


def test_a_quote_is_escaped(client):
    campaign = make_featured_campaign()
    make_signature(campaign, is_featured=True, quote="<img src=x onerror=alert(1)>")

    page = client.get(HOME).content.decode()

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_staff_cannot_feature_a_signer_whose_name_is_private():
    signature = make_signature(make_featured_campaign(), show_name=False, is_featured=True)

    with pytest.raises(ValidationError) as error:
        signature.full_clean()

    assert "is_featured" in error.value.message_dict


def test_the_default_campaign_comes_with_its_founding_signers_featured_and_counted(client):
    call_command("load_default_campaign")

    campaign = Campaign.objects.get()
    founders = campaign.signatures.featured_voices()
    assert [s.name for s in founders] == ["Reese Witherspoon", "Kerry Washington", "Shonda Rhimes"]
    assert all(s.is_founding_signer and s.quote for s in founders)
    assert all(s.email.endswith(".invalid") for s in founders)  # can never be mailed
    assert campaign.signature_count() == 3
    page = client.get(HOME).content.decode()
    assert "Reese Witherspoon" in page
    assert "reese-witherspoon@" not in page

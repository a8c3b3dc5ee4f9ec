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
    assert "of a goal of 40" in page


def test_a_count_far_from_the_goal_is_shown_against_the_next_milestone(client):
    campaign = make_featured_campaign(signature_goal=100_000)
    for _ in range(3):
        make_signature(campaign)

    page = client.get(HOME).content.decode()

    assert "of a goal of" not in page
    assert "next milestone: 10" in page
    assert '<progress class="progress" max="10" value="3"' in page


@pytest.mark.parametrize(
    ("count", "goal", "shown"),
    [
        (0, 100_000, (10, False)),
        (10, 100_000, (25, False)),
        (9_999, 100_000, (10_000, False)),
        (10_000, 100_000, (100_000, True)),  # a tenth of the goal: the goal is worth showing
        (30, 40, (40, True)),
        (20, 40, (40, True)),  # the next milestone (50) is past the goal
        (40, 40, None),  # reached: the count speaks for itself
    ],
)
def test_what_the_count_is_shown_against(count, goal, shown):
    campaign = Campaign(signature_goal=goal, signature_total=count)

    assert campaign.count_target() == shown


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
    voices = page[page.index('id="voices-heading"') :]

    assert voices.index("Founder") < voices.index("Early Voice") < voices.index("Later Voice")
    assert "Time&#x27;s up." in voices
    assert "Not Featured" not in voices


def test_the_letters_page_shows_the_latest_signers_who_chose_to_show_their_name(client):
    campaign = make_featured_campaign()
    now = timezone.now()
    for minutes, name in enumerate(["Newest", "Second", "Third", "Fourth", "Fifth", "Sixth"]):
        make_signature(campaign, name=name, created_at=now - timedelta(minutes=minutes))
    make_signature(campaign, name="Private Person", show_name=False)
    make_signature(campaign, name="Unconfirmed", confirmed_at=None)

    page = client.get(HOME).content.decode()
    strip = page[
        page.index('id="latest-heading"') : page.index(
            "</section>", page.index('id="latest-heading"')
        )
    ]

    assert [n for n in ["Newest", "Second", "Third", "Fourth", "Fifth"] if n in strip] == [
        "Newest",
        "Second",
        "Third",
        "Fourth",
        "Fifth",
    ]
    assert strip.index("Newest") < strip.index("Fifth")
    assert "Sixth" not in strip
    assert "Private Person" not in page
    assert "Unconfirmed" not in page


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

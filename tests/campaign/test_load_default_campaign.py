import pytest
from django.core.management import call_command

from campaign.models import Campaign
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def test_loads_times_up_as_the_featured_campaign_into_an_empty_database():
    call_command("load_default_campaign")

    campaign = Campaign.objects.get(is_featured=True)
    assert campaign.title == "Time's Up"
    assert campaign.hashtag == "#TIMESUP"
    assert campaign.statement.startswith(
        "The clock has run out on sexual assault, harassment and inequality in the workplace."
    )
    assert "From movie sets to farm fields to boardrooms" in campaign.statement
    assert "No more silence." in campaign.letter_text
    assert campaign.donation_label == "Donate to the Legal Defense Fund"
    assert campaign.signing_open


def test_loads_nothing_when_a_campaign_exists():
    make_campaign(title="Ours")

    call_command("load_default_campaign")
    call_command("load_default_campaign")

    assert list(Campaign.objects.values_list("title", flat=True)) == ["Ours"]


def test_running_it_twice_loads_the_campaign_once():
    call_command("load_default_campaign")
    call_command("load_default_campaign")

    assert Campaign.objects.count() == 1

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from campaign.models import Campaign
from tests.factories import make_campaign, make_featured_campaign

pytestmark = pytest.mark.django_db


def test_only_one_campaign_can_be_featured_in_the_database():
    make_featured_campaign()

    with pytest.raises(IntegrityError):
        make_featured_campaign()


def test_a_second_featured_campaign_is_refused_with_a_clear_message():
    make_featured_campaign()
    second = Campaign(
        title="Second", slug="second", statement="s", letter_text="l", is_featured=True
    )

    with pytest.raises(ValidationError, match="already featured"):
        second.full_clean()


def test_feature_moves_the_home_page_to_another_campaign():
    first = make_featured_campaign()
    second = make_campaign()

    second.feature()

    first.refresh_from_db()
    assert not first.is_featured
    assert Campaign.objects.get(is_featured=True) == second


def test_a_draft_cannot_be_featured_and_the_database_is_the_judge():
    make_featured_campaign()
    draft = make_campaign(slug="draft", published_at=None)

    with pytest.raises(ValidationError, match="Publish the letter before featuring it"):
        draft.feature()

    assert Campaign.objects.get(is_featured=True).slug != "draft"


def test_closing_signing_sets_its_time_and_opening_clears_it():
    campaign = make_campaign()

    assert Campaign.objects.filter(pk=campaign.pk).close_signing() == 1
    campaign.refresh_from_db()
    assert not campaign.signing_open and campaign.closed_at is not None

    assert Campaign.objects.filter(pk=campaign.pk).open_signing() == 1
    campaign.refresh_from_db()
    assert campaign.signing_open and campaign.closed_at is None


def test_a_letter_closed_without_its_closing_time_is_refused_by_the_database():
    campaign = make_campaign()

    with pytest.raises(IntegrityError):
        Campaign.objects.filter(pk=campaign.pk).update(signing_open=False)


def test_share_message_carries_the_link_and_the_hashtag():
    campaign = make_campaign(title="Time's Up", hashtag="#TIMESUP")

    message = campaign.share_message("https://example.org/sign/")

    assert "Join me!" in message
    assert "https://example.org/sign/" in message
    assert message.endswith("#TIMESUP")


def test_the_statements_first_paragraph_is_its_lead():
    campaign = make_campaign(
        statement="The clock has run out.\r\n\r\nTime's Up is a call.\n\nMore."
    )

    assert campaign.lead == "The clock has run out."
    assert campaign.statement_body == "Time's Up is a call.\n\nMore."

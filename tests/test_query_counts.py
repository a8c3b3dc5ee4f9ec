"""Every public page costs the same few queries however many signatures there are:
no query per row, and no COUNT(*) over the signatures (the count is kept on the campaign)."""

import pytest
from django.urls import reverse

from pledges import tokens
from pledges.models import Signature
from tests.conftest import confirm_as_shown
from tests.factories import make_campaign, make_featured_campaign, make_signature

pytestmark = pytest.mark.django_db


def add_signatures(campaign, how_many):
    for _ in range(how_many):
        make_signature(campaign, comment="Words", status=Signature.Status.APPROVED)


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        # the campaign with its count, the latest named signers, the featured
        # voices, the last day's count (the form needs none)
        (reverse("campaign:home"), 4),
        (reverse("pledges:sign"), 1),
        (reverse("pledges:thanks"), 1),
        (reverse("pledges:wall"), 2),  # the campaign, one page of signatures
        (reverse("pledges:privacy"), 1),
        (reverse("pledges:stats"), 2),  # the campaign, its tallies
        (reverse("partners:embed"), 2),  # the campaign, the last day's tally
        # the campaign, its tallies, its log's latest checkpoint
        (reverse("partners:api-campaign", args=["timesup"]), 3),
    ],
)
def test_a_public_page_costs_the_same_queries_at_any_size(
    client, django_assert_num_queries, path, queries
):
    campaign = make_featured_campaign(slug="timesup")
    add_signatures(campaign, 3)
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200

    add_signatures(campaign, 60)
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


LETTER_PAGE_QUERIES = {
    "campaign:home": 4,
    "pledges:sign": 1,
    "pledges:thanks": 1,
    "pledges:wall": 2,
    "pledges:stats": 2,
}


@pytest.mark.parametrize(("page", "queries"), LETTER_PAGE_QUERIES.items())
def test_a_letter_that_is_not_featured_costs_what_the_featured_one_does(
    client, django_assert_num_queries, page, queries
):
    featured = make_featured_campaign()
    other = make_campaign(slug="farmworkers")
    for campaign in (featured, other):
        add_signatures(campaign, 3)

    for campaign in (featured, other):
        assert campaign.is_featured == (campaign == featured)
        with django_assert_num_queries(queries):
            assert client.get(campaign.page_url(page)).status_code == 200


@pytest.mark.parametrize(
    ("path", "queries"), [("/embed/farmworkers/", 2), ("/api/campaigns/farmworkers/", 3)]
)
def test_a_letter_s_widget_and_api_cost_what_the_featured_one_s_do(
    client, django_assert_num_queries, path, queries
):
    make_featured_campaign()
    add_signatures(make_campaign(slug="farmworkers"), 3)

    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


def test_the_letters_page_costs_one_query_however_many_letters(client, django_assert_num_queries):
    make_featured_campaign()
    for _ in range(5):
        add_signatures(make_campaign(), 2)

    with django_assert_num_queries(1):
        assert client.get(reverse("campaign:letters")).status_code == 200


def test_a_deep_wall_page_costs_what_the_first_does(client, django_assert_num_queries, settings):
    settings.WALL_PAGE_SIZE = 5
    campaign = make_featured_campaign()
    add_signatures(campaign, 30)
    cursor = client.get(reverse("pledges:wall")).context["next_cursor"]

    with django_assert_num_queries(2):
        response = client.get(reverse("pledges:wall"), {"after": cursor})

    assert len(response.context["signatures"]) == 5


def test_the_kept_count_always_equals_the_rows_that_count(client, admin_client):
    campaign = make_featured_campaign()
    signature = make_signature(campaign, confirmed_at=None)

    def kept():
        campaign.refresh_from_db()
        assert campaign.signature_total == campaign.signatures.counted().count()
        return campaign.signature_total

    assert kept() == 0
    confirm_as_shown(
        client, reverse("pledges:confirm", args=[tokens.confirmation_token(signature)])
    )
    assert kept() == 1
    for action, expected in [("hide", 0), ("approve", 1), ("mark_as_spam", 0), ("approve", 1)]:
        admin_client.post(
            reverse("admin:pledges_signature_changelist"),
            {"action": action, "_selected_action": [signature.pk]},
        )
        assert kept() == expected
    client.post(reverse("pledges:withdraw", args=[tokens.withdrawal_token(signature)]))
    assert kept() == 0


@pytest.mark.parametrize("path", [reverse("campaign:home"), reverse("pledges:wall")])
def test_on_a_busy_day_the_page_is_served_from_cache_for_a_few_seconds(
    client, django_assert_num_queries, settings, path
):
    settings.PAGE_CACHE_SECONDS = 5
    campaign = make_featured_campaign()
    add_signatures(campaign, 2)
    first = client.get(path)

    with django_assert_num_queries(0):
        again = client.get(path)

    assert again.content == first.content
    assert "max-age=5" in again["Cache-Control"]

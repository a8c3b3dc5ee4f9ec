"""/stats/: who has signed, by industry, country and day, drawn on the server;
the numbers are those of the signatures that count."""

import re
from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from pledges import counting
from pledges.models import Industry, Signature, SignatureTally
from pledges.statistics import campaign_statistics
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db

STATS = reverse("pledges:stats")


@pytest.fixture
def signed(campaign):
    """Signatures confirmed over three days, and some that must not count."""
    today = timezone.now()
    yesterday = today - timedelta(days=1)
    three_days_ago = today - timedelta(days=3)
    # Published before them: the per-day chart starts on the day the letter opened.
    campaign.published_at = today - timedelta(days=4)
    campaign.save(update_fields=["published_at"])
    for industry, country, created_at in [
        (Industry.AGRICULTURE, "MX", three_days_ago),
        (Industry.AGRICULTURE, "MX", yesterday),
        (Industry.AGRICULTURE, "US", yesterday),
        (Industry.ENTERTAINMENT, "US", today),
        (Industry.HEALTH, "", today),
    ]:
        make_signature(
            campaign,
            industry=industry,
            country=country,
            created_at=created_at,
            confirmed_at=created_at,
        )
    # Not counted: hidden, spam, unconfirmed, and another campaign's.
    make_signature(campaign, industry=Industry.LAW, country="FR", status=Signature.Status.HIDDEN)
    make_signature(campaign, industry=Industry.LAW, country="FR", status=Signature.Status.SPAM)
    make_signature(campaign, industry=Industry.LAW, country="FR", confirmed_at=None)
    make_signature(make_campaign(), industry=Industry.LAW, country="FR")
    return today.date(), yesterday.date(), three_days_ago.date()


def table_rows(page, caption):
    """[(label, number)] of the table with this caption."""
    table = re.search(rf"<caption>{re.escape(caption)}</caption>(.*?)</table>", page, re.S)
    assert table, f"no table {caption!r}"
    return [
        (re.sub(r"<[^>]+>", "", label), int(number.replace(",", "").replace("\xa0", "")))
        for label, number in re.findall(
            r'<th scope="row">(.*?)</th><td class="number">([\d,\xa0 ]+)</td>', table.group(1)
        )
    ]


def test_the_numbers_are_those_of_the_signatures_that_count(campaign, signed):
    today, yesterday, three_days_ago = signed

    statistics = campaign_statistics(campaign)

    assert (
        sum(n for _, n in statistics["by_industry"]) == 5 == campaign.signatures.counted().count()
    )
    assert statistics["by_industry"] == [("agriculture", 3), ("entertainment", 1), ("health", 1)]
    assert statistics["by_country"] == [("MX", 2), ("US", 2), ("", 1)]
    assert statistics["per_day"] == [(three_days_ago, 1), (yesterday, 2), (today, 2)]
    # Yesterday's are from exactly 24 hours ago: the hour they fall in began
    # earlier still, so they are left out.
    assert statistics["last_24_hours"] == 2


def test_the_page_shows_each_count_in_a_table_and_a_chart(client, campaign, signed):
    page = client.get(STATS).content.decode()

    assert table_rows(page, "Signatures by industry") == [
        ("Agriculture and farm work", 3),
        ("Film, TV, music and entertainment", 1),
        ("Health and care", 1),
    ]
    assert table_rows(page, "Signatures by country") == [
        ("Mexico", 2),
        ("United States of America", 2),
        ("Not given", 1),
    ]
    assert [n for _, n in table_rows(page, "Signatures per day")] == [1, 2, 2]
    assert "France" not in page and "Law and justice" not in page
    # Charts drawn on the server: inline SVG, labelled for screen readers.
    assert page.count('<svg class="chart"') == 3
    assert '<title id="industry-chart-title">Signatures by industry</title>' in page
    assert re.search(r'<rect class="bar" x="0" y="22" width="248.0" height="14">', page)


def test_days_without_signatures_keep_their_place_on_the_time_axis(client, campaign, signed):
    page = client.get(STATS).content.decode()
    day_chart = page[page.index('id="days-chart-title"') :]

    # Four days from the first signature to today, one of them empty.
    assert day_chart.count('<rect class="bar"') == 4
    assert re.search(r": 0</title>", day_chart)


def test_the_page_reads_in_spanish_with_spanish_names(client, campaign, signed):
    with translation.override("es"):
        page = client.get(reverse("pledges:stats")).content.decode()

    assert ("Agricultura y trabajo en el campo", 3) in table_rows(page, "Firmas por sector")
    assert ("México", 2) in table_rows(page, "Firmas por país")
    assert 'width="248.0"' in page  # SVG numbers never take a decimal comma


def test_with_no_signatures_yet_the_page_says_so(client, campaign):
    page = client.get(STATS).content.decode()

    assert page.count("No signatures yet.") == 3
    assert "<svg" not in page


def test_statistics_are_counted_once_per_cache_period(
    campaign, signed, settings, django_assert_num_queries
):
    settings.STATS_CACHE_SECONDS = 60
    first = campaign_statistics(campaign)
    make_signature(campaign)

    with django_assert_num_queries(0):
        assert campaign_statistics(campaign) == first


def tallies_of(campaign):
    return sorted(
        SignatureTally.objects.filter(campaign=campaign, count__gt=0).values_list(
            "dimension", "value", "count"
        )
    )


def test_tallies_follow_confirmations_and_withdrawals_as_they_happen(campaign):
    confirmed_at = timezone.now()
    first = make_signature(campaign, industry=Industry.HEALTH, country="MX", confirmed_at=None)
    second = make_signature(campaign, industry=Industry.HEALTH, country="US", confirmed_at=None)
    SignatureTally.objects.filter(campaign=campaign).delete()  # the factory recounted

    first.confirm()
    second.confirm()
    second.confirm()  # twice changes nothing
    first.withdraw()

    hour = second.confirmed_at.astimezone(UTC).strftime("%Y-%m-%dT%H")
    assert tallies_of(campaign) == [
        ("country", "US", 1),
        ("hour", hour, 1),
        ("industry", "health", 1),
    ]
    assert hour[:10] == confirmed_at.astimezone(UTC).date().isoformat()


def test_kept_tallies_equal_tallies_counted_from_the_rows(campaign, client):
    for n in range(6):
        make_signature(
            campaign,
            industry=[Industry.HEALTH, Industry.LAW][n % 2],
            country=["MX", "US", ""][n % 3],
            confirmed_at=None,
        )
    for signature in Signature.objects.all()[:5]:
        signature.confirm()
    Signature.objects.all().first().withdraw()
    Signature.objects.filter(country="US").moderate(Signature.Status.HIDDEN)
    kept = tallies_of(campaign)

    counting.recount(campaign)  # by the database's own hour arithmetic

    assert tallies_of(campaign) == kept
    assert sum(n for dimension, _, n in kept if dimension == "industry") == (
        campaign.signatures.counted().count()
    )

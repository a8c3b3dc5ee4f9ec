"""For partner sites: the read-only JSON API, and the widget to put in an iframe."""

import re

import pytest
from django.urls import reverse

from pledges.models import Industry, Signature
from pledges.transparency import log
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db

API = "/api/campaigns/timesup/"
PARTNER = "https://partner.example.org"


@pytest.fixture
def campaign(campaign):
    """The featured campaign as partners address it (its slug), with a few signers."""
    campaign.title_es, campaign.slug, campaign.signature_goal = "Time's Up (ES)", "timesup", 100
    campaign.save()
    make_signature(campaign, industry=Industry.AGRICULTURE, country="MX")
    make_signature(campaign, industry=Industry.AGRICULTURE, country="US")
    make_signature(campaign, industry=Industry.HEALTH, country="MX")
    make_signature(campaign, status=Signature.Status.SPAM, country="FR")
    make_signature(campaign, status=Signature.Status.HIDDEN, country="FR")
    make_signature(campaign, confirmed_at=None, country="FR")
    return campaign


# The JSON API --------------------------------------------------------------


def test_the_api_gives_the_count_the_goal_and_who_signed_by_industry_and_country(client, campaign):
    log.publish(campaign.pk)  # its public log's checkpoint, as the worker signs it

    response = client.get(API)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "slug": "timesup",
        "title": "Time's Up",
        "hashtag": "#TIMESUP",
        "url": "https://testserver/en/?source=api",  # the letter's page, credited to the API
        "signing_open": True,
        "count": 3,
        "goal": 100,
        "signatures_last_24_hours": 3,
        "by_industry": [
            {"industry": "agriculture", "name": "Agriculture and farm work", "count": 2},
            {"industry": "health", "name": "Health and care", "count": 1},
        ],
        "by_country": [
            {"country": "MX", "name": "Mexico", "count": 2},
            {"country": "US", "name": "United States of America", "count": 1},
        ],
        "log": {
            "origin": "testserver/log/timesup",
            "checkpoint": "https://testserver/log/timesup/checkpoint",
            "tiles": "https://testserver/log/timesup/tile/",
            "keys": "https://testserver/log/keys",
            "size": 3,
            "count": 3,
        },
    }


def test_names_follow_the_readers_language(client, campaign):
    data = client.get(API, HTTP_ACCEPT_LANGUAGE="es").json()

    assert data["title"] == "Time's Up (ES)"
    assert data["by_country"][0]["name"] == "México"
    assert data["by_industry"][0]["name"] == "Agricultura y trabajo en el campo"


def test_any_site_may_read_it_from_a_browser_without_cookies(client, campaign):
    response = client.get(API, HTTP_ORIGIN=PARTNER)

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert not response.cookies


def test_a_preflight_request_is_answered_for_get_only(client, campaign):
    response = client.options(API, HTTP_ORIGIN=PARTNER, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, OPTIONS"


def test_it_may_be_cached_by_browsers_and_proxies_as_long_as_we_keep_it(client, campaign, settings):
    settings.STATS_CACHE_SECONDS = 60

    response = client.get(API)

    assert response["Cache-Control"] == "public, max-age=60"
    assert "Accept-Language" in response["Vary"]


def test_the_page_cache_keeps_the_apis_own_max_age(client, campaign, settings):
    settings.STATS_CACHE_SECONDS = 60
    settings.PAGE_CACHE_SECONDS = 5

    first, kept = client.get(API), client.get(API)

    assert first["Cache-Control"] == kept["Cache-Control"] == "public, max-age=60"


def test_partners_calling_it_on_every_page_view_cost_no_query(
    client, campaign, settings, django_assert_num_queries
):
    settings.STATS_CACHE_SECONDS = 60
    english = client.get(API).json()
    spanish = client.get(API, HTTP_ACCEPT_LANGUAGE="es").json()

    with django_assert_num_queries(0):
        assert client.get(API).json() == english
        assert client.get(API, HTTP_ACCEPT_LANGUAGE="es").json() == spanish
    assert english["by_country"][0]["name"] == "Mexico"
    assert spanish["by_country"][0]["name"] == "México"


def test_it_is_read_only(client, campaign):
    assert client.post(API, {"count": 1000000}).status_code == 405
    assert client.delete(API).status_code == 405


def test_an_unknown_campaign_is_a_json_404(client, campaign):
    response = client.get("/api/campaigns/nope/")

    assert response.status_code == 404
    assert response.json() == {"error": "No campaign has the slug “nope”."}


def test_pages_other_than_the_api_do_not_answer_other_origins(client, campaign):
    response = client.get(reverse("campaign:home"), HTTP_ORIGIN=PARTNER)

    assert "Access-Control-Allow-Origin" not in response
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_static_files_do_not_answer_other_origins_either(client, campaign):
    home = client.get(reverse("campaign:home")).content.decode()
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', home).group(1)

    response = client.get(stylesheet, HTTP_ORIGIN=PARTNER)

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.parametrize("path", [API, reverse("partners:embed")])
def test_the_api_and_the_widget_may_be_loaded_by_other_sites(client, campaign, path):
    assert client.get(path)["Cross-Origin-Resource-Policy"] == "cross-origin"


# The widget ------------------------------------------------------------------


def test_the_widget_shows_the_count_the_progress_and_a_sign_button(client, campaign):
    page = client.get("/embed/").content.decode()

    assert '<strong class="count-number">3</strong>' in page
    assert '<progress class="progress" max="10" value="3"' in page  # toward the next milestone
    assert re.search(
        r'<a class="button" href="/en/\?source=widget#sign" target="_blank" rel="noopener">', page
    )
    assert '<header class="site-header">' not in page  # just the widget
    assert "share-heading" not in page


def test_the_widget_answers_in_the_readers_language(client, campaign):
    page = client.get("/embed/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert 'href="/es/?source=widget#sign"' in page
    assert "Firma la carta" in page


@pytest.mark.parametrize("path", ["/embed/", API])
def test_a_language_cookie_cannot_choose_the_language_of_copies_kept_for_others(
    client, campaign, settings, path
):
    # Issue 20, item 5: the cookie is not in the page cache's key, so a kept
    # copy must not depend on it.
    settings.PAGE_CACHE_SECONDS = 60
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    poisoned = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]

    plain = [client.get(path, HTTP_ACCEPT_LANGUAGE="en") for _ in range(3)]

    assert poisoned["Content-Language"] == "en"
    for response in plain:
        assert response["Content-Language"] == "en"
        assert "Firma" not in response.content.decode()
        assert "(ES)" not in response.content.decode()


def test_the_widget_is_the_one_page_other_sites_may_frame(client, campaign):
    widget = client.get("/embed/timesup/")
    page = client.get(reverse("campaign:home"))

    assert "X-Frame-Options" not in widget
    assert "frame-ancestors *" in widget["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_the_widget_of_a_letter_that_is_not_featured_links_to_that_letter(client, campaign):
    make_campaign(slug="earlier", title="An earlier letter")

    page = client.get("/embed/earlier/").content.decode()

    assert "An earlier letter" in page
    assert 'href="/en/#sign"' not in page  # not the featured letter's form
    assert 'href="/en/letters/earlier/?source=widget#sign"' in page


def test_a_draft_has_no_widget(client, campaign):
    make_campaign(slug="draft", published_at=None)

    assert client.get("/embed/draft/").status_code == 404


def test_an_unknown_widget_is_not_found(client, campaign):
    assert client.get("/embed/nope/").status_code == 404


def test_staff_copy_the_widget_snippet_from_the_campaign_admin(admin_client, campaign):
    page = admin_client.get(
        reverse("admin:campaign_campaign_change", args=[campaign.pk])
    ).content.decode()

    snippet = re.search(r'<textarea id="embed-snippet"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert snippet.startswith("&lt;iframe src=&quot;https://testserver/embed/timesup/&quot;")
    assert "title=&quot;Time&amp;#x27;s Up&quot;" in snippet


def test_staff_edit_the_spanish_texts_beside_the_english_ones(admin_client, campaign):
    page = admin_client.get(
        reverse("admin:campaign_campaign_change", args=[campaign.pk])
    ).content.decode()

    for field in ["title", "statement", "letter_text", "donation_label", "share_text"]:
        assert f'name="{field}"' in page
        assert f'name="{field}_es"' in page


def test_head_on_the_api_answers_like_get(client, campaign):
    path = reverse("partners:api-campaign", args=[campaign.slug])

    head, get = client.head(path), client.get(path)

    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"] == "application/json"
    assert head.content == b""

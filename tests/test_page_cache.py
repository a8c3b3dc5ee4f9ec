"""Public pages are kept whole in each process's memory, and say any cache may keep them."""

import re
import time

import pytest
from django.urls import reverse

from pledges.models import Signature
from tests.factories import make_signature, signing_form

pytestmark = pytest.mark.django_db

SIGN = reverse("pledges:sign")


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 5


def started_token(page):
    return re.search(r'name="started" value="([^"]+)"', page).group(1)


def test_the_signing_form_comes_from_the_cache_the_same_for_every_visitor(
    client, campaign, page_cache, django_assert_num_queries
):
    first = client.get(SIGN, REMOTE_ADDR="203.0.113.1").content

    with django_assert_num_queries(0):
        second = client.get(SIGN, REMOTE_ADDR="198.51.100.2").content

    assert first == second  # its fill-time token names the window, not the visitor


def test_public_pages_tell_shared_caches_they_may_keep_them(client, campaign, page_cache):
    for path in (
        SIGN,
        reverse("campaign:home"),
        reverse("pledges:wall"),
    ):
        response = client.get(path)

        cache_control = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"public", "max-age=5", "s-maxage=5", "stale-while-revalidate=30"} <= cache_control
        assert not response.cookies


def test_a_form_sent_back_with_what_a_person_typed_is_kept_by_no_cache(
    client, campaign, page_cache
):
    response = client.post(SIGN, signing_form(email="not an address"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_a_form_from_the_cache_can_be_sent(client, campaign, page_cache, settings):
    settings.SIGNING_MIN_FILL_SECONDS = 0
    client.get(SIGN)
    page = client.get(SIGN).content.decode()

    response = client.post(SIGN, signing_form(started=started_token(page)))

    assert response.status_code == 302
    assert Signature.objects.count() == 1


def test_a_cached_page_keeps_the_security_headers(client, campaign, page_cache):
    client.get(reverse("campaign:home"))

    response = client.get(reverse("campaign:home"))

    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert "max-age" in response["Strict-Transport-Security"]


def test_each_language_has_its_own_copy(client, campaign, page_cache):
    client.get("/en/")
    client.get("/es/")

    assert 'lang="en"' in client.get("/en/").content.decode()
    assert 'lang="es"' in client.get("/es/").content.decode()


def test_the_widget_is_kept_once_per_reader_language(client, campaign, page_cache):
    english = client.get(reverse("partners:embed"), headers={"Accept-Language": "en"})
    spanish = client.get(reverse("partners:embed"), headers={"Accept-Language": "es"})

    again = client.get(reverse("partners:embed"), headers={"Accept-Language": "es"})

    assert english.content != spanish.content
    assert again.content == spanish.content
    assert 'lang="es"' in again.content.decode()


def test_what_is_cached_is_a_few_seconds_old_at_most(client, campaign, page_cache, settings):
    client.get(reverse("pledges:wall"))
    make_signature(campaign, name="Late Signer")

    assert "Late Signer" not in client.get(reverse("pledges:wall")).content.decode()
    settings.PAGE_CACHE_SECONDS = 0  # as when the cached copy expires
    assert "Late Signer" in client.get(reverse("pledges:wall")).content.decode()


def test_a_page_that_answers_an_error_is_not_kept(client, page_cache):
    assert client.get(SIGN).status_code == 404  # no featured campaign yet
    from tests.factories import make_featured_campaign

    make_featured_campaign()

    assert client.get(SIGN).status_code == 200


@pytest.mark.urls("tests.page_cache_urls")
def test_a_page_that_used_a_csrf_token_is_never_kept_even_for_a_visitor_with_the_cookie(
    client, page_cache
):
    client.get("/token/")  # the visitor now has the cookie

    first, second = client.get("/token/"), client.get("/token/")

    assert first.content != second.content  # each its own token, not a kept copy


def test_past_its_time_a_page_is_rendered_by_one_request_while_others_get_the_kept_copy():
    from timesup.infrastructure.caching import PageStore

    store = PageStore()
    store.set("page", "old copy", seconds=0.01)
    time.sleep(0.02)

    first = store.get("page")  # this one renders
    others = [store.get("page") for _ in range(3)]
    store.set("page", "new copy", seconds=60)

    assert first is None
    assert others == ["old copy"] * 3
    assert store.get("page") == "new copy"

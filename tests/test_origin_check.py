"""The signing form, served from the page cache without a CSRF token, refuses
posts that another site's page makes a visitor's browser send."""

import pytest
from django.urls import reverse

from pledges.models import Signature
from tests.conftest import HttpsClient
from tests.factories import signing_form

pytestmark = pytest.mark.django_db

SIGN = reverse("pledges:sign")


@pytest.fixture
def browser(campaign):
    return HttpsClient(enforce_csrf_checks=True)


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another site's page too
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame or a data: page
        {"Referer": "https://evil.example/petition"},
        {},  # over HTTPS, neither origin nor referer: refused, as by Django's check
    ],
)
def test_a_post_from_another_site_is_refused_and_nothing_stored(browser, headers):
    response = browser.post(SIGN, signing_form(), headers=headers)

    assert response.status_code == 403
    assert "Please reload the form" in response.content.decode()
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "https://testserver"},
        {"Origin": "https://testserver"},  # a browser older than Sec-Fetch-Site
        {"Referer": "https://testserver/en/sign/"},  # older still: no Origin on a POST
    ],
)
def test_a_post_from_the_sites_own_page_is_taken(browser, headers):
    response = browser.post(SIGN, signing_form(), headers=headers)

    assert response.status_code == 302
    assert Signature.objects.count() == 1

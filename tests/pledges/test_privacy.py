import pytest
from django.urls import reverse

from pledges.consent import CONSENT_VERSION
from tests.factories import make_featured_campaign

pytestmark = pytest.mark.django_db


def test_the_sign_form_links_to_the_privacy_notice_and_shows_the_consent_wording(client):
    make_featured_campaign()

    page = client.get(reverse("pledges:sign")).content.decode()

    assert f'href="{reverse("pledges:privacy")}"' in page
    assert "By signing, you add your name to this letter." in page


def test_the_privacy_notice_says_what_why_who_how_long_and_how_to_withdraw(client, settings):
    settings.CONFIRMATION_DAYS = 7
    settings.RETENTION_DAYS_AFTER_CLOSE = 90

    page = client.get(reverse("pledges:privacy")).content.decode()

    for heading in [
        "What we store, and why",
        "Who sees it",
        "How long we keep it",
        "How to withdraw",
    ]:
        assert heading in page
    assert "not confirmed within 7 days is deleted" in page
    assert "90 days after a campaign closes" in page
    assert CONSENT_VERSION in page

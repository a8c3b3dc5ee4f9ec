import pytest
from django.urls import reverse

from pledges.models import Signature
from tests.conftest import count_shown
from tests.factories import make_campaign, make_featured_campaign, make_signature

pytestmark = pytest.mark.django_db


def test_home_shows_the_featured_campaigns_statement_letter_and_hashtag(client):
    make_campaign(title="Another campaign", statement="Not this one.")
    make_featured_campaign(
        title="Time's Up",
        statement="The clock has run out on sexual assault.",
        letter_text="No more silence. No more waiting.",
        hashtag="#TIMESUP",
    )

    page = client.get(reverse("campaign:home")).content.decode()

    assert "The clock has run out on sexual assault." in page
    assert "No more silence. No more waiting." in page
    assert "#TIMESUP" in page
    assert "Not this one." not in page


def test_home_shows_the_live_count_of_signatures(client):
    campaign = make_featured_campaign()
    for _ in range(3):
        make_signature(campaign)

    response = client.get(reverse("campaign:home"))

    assert count_shown(response) == 3
    assert '<strong class="count-number">3</strong>' in response.content.decode()


def test_hidden_and_spam_signatures_leave_the_count(client):
    campaign = make_featured_campaign()
    make_signature(campaign, status=Signature.Status.APPROVED)
    make_signature(campaign, status=Signature.Status.PENDING)
    make_signature(campaign, status=Signature.Status.HIDDEN)
    make_signature(campaign, status=Signature.Status.SPAM)

    response = client.get(reverse("campaign:home"))

    assert count_shown(response) == 2


def test_home_calls_to_sign_and_to_donate(client):
    make_featured_campaign(
        donation_label="Donate to the Legal Defense Fund",
        donation_url="https://example.org/legal-defense-fund",
    )

    page = client.get(reverse("campaign:home")).content.decode()

    # The form is on the letter's page itself, and posts to the signing view.
    assert (
        f'<form method="post" action="{reverse("pledges:sign")}" class="sign-form" id="sign"'
        in page
    )
    assert 'href="https://example.org/legal-defense-fund"' in page
    assert "Donate to the Legal Defense Fund" in page


def test_closed_campaign_shows_statement_and_count_but_no_sign_button(client):
    campaign = make_featured_campaign(signing_open=False, statement="Our statement stands.")
    make_signature(campaign)

    response = client.get(reverse("campaign:home"))
    page = response.content.decode()

    assert "Our statement stands." in page
    assert count_shown(response) == 1
    assert "closed to new signatures" in page
    assert f'href="{reverse("pledges:sign")}"' not in page


def test_campaign_texts_are_escaped(client):
    make_featured_campaign(
        title="<script>alert(1)</script>", statement="<img src=x onerror=alert(1)>"
    )

    page = client.get(reverse("campaign:home")).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_home_without_a_featured_campaign_is_a_plain_404(client):
    make_campaign(is_featured=False)

    response = client.get(reverse("campaign:home"))

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()

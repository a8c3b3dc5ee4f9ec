"""People behind one shared address (an office, a campus, a mobile carrier's NAT) are
all taken; one client pushing addresses nobody confirms is stopped."""

import pytest
from django.urls import reverse

from pledges import tokens
from pledges.models import Signature, Submission
from tests.conftest import confirm_as_shown
from tests.factories import signing_form

pytestmark = pytest.mark.django_db

SIGN = reverse("pledges:sign")
SHARED = "198.51.100.20"  # one address for everyone in these tests


def sign_from(client, address=SHARED, **fields):
    return client.post(SIGN, signing_form(**fields), REMOTE_ADDR=address)


def confirm(client, email):
    signature = Signature.objects.get(email=email)
    confirm_as_shown(
        client, reverse("pledges:confirm", args=[tokens.confirmation_token(signature)])
    )


def test_two_hundred_people_behind_one_address_who_confirm_are_all_taken_and_counted(
    client, campaign
):
    # At the default limit. Each person confirms from the email a while after
    # signing: 25 signatures are always waiting for their confirmation.
    emails = [f"person{n}@example.org" for n in range(200)]
    for n, email in enumerate(emails):
        assert sign_from(client, email=email).status_code == 302, f"person {n} was turned away"
        if n >= 25:
            confirm(client, emails[n - 25])
    for email in emails[-25:]:
        confirm(client, email)

    campaign.refresh_from_db()
    assert Signature.objects.filter(confirmed_at__isnull=False).count() == 200
    assert campaign.signature_count() == 200


def test_a_client_pushing_addresses_nobody_confirms_is_stopped_at_the_limit(
    client, campaign, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [sign_from(client, email=f"victim{n}@example.org").status_code for n in range(40)]

    limit = settings.SIGNING_RATE_LIMIT
    assert answers == [302] * limit + [429] * (40 - limit)
    assert Signature.objects.count() == limit
    # One email owed per stored signature, none for the refused: no flooded inboxes.
    assert Submission.objects.owed_an_email().count() == limit


def test_each_confirmation_gives_one_signature_of_the_budget_back(client, campaign, settings):
    settings.SIGNING_RATE_LIMIT = 2
    sign_from(client, email="one@example.org")
    sign_from(client, email="two@example.org")
    assert sign_from(client, email="three@example.org").status_code == 429

    confirm(client, "one@example.org")

    assert sign_from(client, email="three@example.org").status_code == 302
    assert sign_from(client, email="four@example.org").status_code == 429


def test_the_budget_is_per_client_address(client, campaign, settings):
    settings.SIGNING_RATE_LIMIT = 1
    sign_from(client, address="203.0.113.1", email="one@example.org")

    other = sign_from(client, address="203.0.113.2", email="two@example.org")

    assert other.status_code == 302
    assert Signature.objects.count() == 2


def test_a_stopped_person_sees_the_form_again_with_what_they_typed_and_when_to_try_again(
    client, campaign, settings
):
    settings.SIGNING_RATE_LIMIT = 0

    response = sign_from(
        client, name="Nadia Newcomer", email="nadia@example.org", comment="With you all."
    )

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 3600
    page = response.content.decode()
    assert "Too many signatures from your connection" in page
    assert f"please send the form again in {-(-retry_after // 60)} minute" in page
    assert 'value="Nadia Newcomer"' in page
    assert 'value="nadia@example.org"' in page
    assert "With you all.</textarea>" in page
    assert not Signature.objects.exists()

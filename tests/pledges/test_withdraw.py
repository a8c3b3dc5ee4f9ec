"""Every email carries a link that withdraws the signature: one more click, and it is gone."""

import pytest
from django.core import signing
from django.urls import reverse

from pledges import tokens
from pledges.models import Signature
from tests.conftest import count_shown
from tests.factories import make_signature, signing_form
from tests.pledges.conftest import link_in, path_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_withdrawal_link_asks_first_then_deletes_the_signature(client, campaign):
    make_signature(campaign)
    signature = make_signature(campaign, name="Changed Mind", email="mind@example.org")
    path = reverse("pledges:withdraw", args=[tokens.withdrawal_token(signature)])

    asked = client.get(path)
    assert "Withdraw my signature" in asked.content.decode()
    assert Signature.objects.filter(pk=signature.pk).exists()

    withdrawn = client.post(path)

    assert "Your signature has been withdrawn" in withdrawn.content.decode()
    assert count_shown(withdrawn) == 1
    assert not Signature.objects.filter(email="mind@example.org").exists()
    assert "Changed Mind" not in client.get(reverse("pledges:wall")).content.decode()


def test_a_used_withdrawal_link_says_it_no_longer_works(client, campaign):
    signature = make_signature(campaign)
    path = reverse("pledges:withdraw", args=[tokens.withdrawal_token(signature)])
    client.post(path)

    response = client.post(path)

    assert response.status_code == 404
    assert "withdrawn" in response.content.decode()


def test_the_confirmation_email_carries_a_working_withdrawal_link(
    client, campaign, mailoutbox, deliver_emails
):
    client.post(reverse("pledges:sign"), signing_form())
    deliver_emails()

    client.post(path_of(link_in(mailoutbox[0], "withdraw")))

    assert Signature.objects.count() == 0


def test_after_withdrawing_one_can_sign_again(client, campaign):
    signature = make_signature(campaign, email="ana@example.org")
    client.post(reverse("pledges:withdraw", args=[tokens.withdrawal_token(signature)]))

    client.post(reverse("pledges:sign"), signing_form(email="ana@example.org"))

    assert Signature.objects.get().confirmed_at is None  # a new signature, to confirm again


def test_withdrawing_an_unconfirmed_signature_leaves_the_count_of_the_confirmed_ones(
    client, campaign
):
    make_signature(campaign)
    make_signature(campaign)
    unconfirmed = make_signature(campaign, confirmed_at=None)

    client.post(reverse("pledges:withdraw", args=[tokens.withdrawal_token(unconfirmed)]))

    campaign.refresh_from_db()
    assert campaign.signature_count() == 2
    assert Signature.objects.count() == 2


def test_links_name_a_signature_by_a_random_id_not_its_row_number(campaign):
    # Issue 20, item 8: a sequential id in a link tells how many rows there are.
    signature = make_signature(campaign)

    for purpose in (tokens.CONFIRMATION, tokens.WITHDRAWAL, tokens.UNSUBSCRIBE, tokens.CHOICES):
        named, *_ = signing.loads(tokens.make_token(signature, purpose), salt=purpose)
        assert named == signature.public_id.hex


def test_a_withdrawal_link_sent_before_random_ids_still_withdraws(client, campaign):
    signature = make_signature(campaign)
    # As emails sent before carried it: the row's number and its fingerprint.
    legacy = signing.dumps(
        [signature.pk, tokens._fingerprint(signature.pk, signature, tokens.WITHDRAWAL)],
        salt=tokens.WITHDRAWAL,
    )

    client.post(reverse("pledges:withdraw", args=[legacy]))

    assert not Signature.objects.exists()

"""A signer's choices are hers alone (issue 20, item 1): what is published of
a signature, and whether its signer gets updates, is what the mailbox's owner
confirmed, never what someone who knew her address sent first."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pledges import tokens
from pledges.consent import CONSENT_VERSION
from pledges.models import Signature, Submission
from tests.conftest import HttpsClient, confirm_as_shown, form_as_shown
from tests.factories import make_signature, signing_form
from tests.pledges.conftest import link_in, path_of, sign_and_get_email

pytestmark = pytest.mark.django_db(transaction=True)

SIGN = reverse("pledges:sign")
WALL = reverse("pledges:wall")
HER_ADDRESS = "nadia@example.org"


def test_a_stranger_who_signs_first_cannot_publish_her_name_or_subscribe_her(
    client, campaign, mailoutbox, deliver_emails
):
    # Her employer knows her address and signs first, in her name, in public.
    sign_and_get_email(
        client,
        mailoutbox,
        deliver_emails,
        email=HER_ADDRESS,
        name="Nadia Real-Name",
        show_name="on",
        wants_updates="on",
        comment="I accuse my boss",
    )
    # She then signs privately, and confirms from her own email.
    hers = sign_and_get_email(client, mailoutbox, deliver_emails, email=HER_ADDRESS, name="N. R.")

    confirm_as_shown(client, path_of(link_in(hers, "confirm")))

    signature = Signature.objects.get()
    assert (signature.name, signature.show_name, signature.comment) == ("N. R.", False, "")
    assert not signature.wants_updates
    assert signature.counts
    wall = client.get(WALL).content.decode()
    assert "Real-Name" not in wall and "N. R." not in wall
    assert not Submission.objects.exists()  # the stranger's form can apply nothing now


def test_the_confirmation_page_shows_what_will_be_published_and_lets_her_change_it(
    client, campaign, mailoutbox, deliver_emails
):
    strangers = sign_and_get_email(
        client,
        mailoutbox,
        deliver_emails,
        email=HER_ADDRESS,
        name="Nadia Real-Name",
        show_name="on",
        wants_updates="on",
    )
    link = path_of(link_in(strangers, "confirm"))

    page = client.get(link).content.decode()
    button = page.index("Confirm my signature")
    assert page.index("Nadia Real-Name") < button  # the name as it will appear, first
    assert page.index("news of the campaign") < button  # and the updates choice

    # She opened the email the stranger's form brought: she unticks both.
    confirm_as_shown(client, link, show_name=False, wants_updates=False)

    signature = Signature.objects.get()
    assert signature.counts and not signature.show_name and not signature.wants_updates
    assert "Nadia Real-Name" not in client.get(WALL).content.decode()


def test_a_private_signature_says_so_before_the_button(client, campaign):
    signature = make_signature(campaign, confirmed_at=None, show_name=False)
    page = client.get(reverse("pledges:confirm", args=[tokens.confirmation_token(signature)]))

    text = page.content.decode()
    assert text.index("your name stays private") < text.index("Confirm my signature")


def test_a_form_sent_for_a_confirmed_address_changes_nothing(
    client, campaign, mailoutbox, deliver_emails
):
    signature = make_signature(campaign, email=HER_ADDRESS, name="Nadia", show_name=False)

    message = sign_and_get_email(
        client,
        mailoutbox,
        deliver_emails,
        email=HER_ADDRESS,
        name="Someone Else",
        show_name="on",
        wants_updates="on",
        comment="Words not hers",
    )

    after = Signature.objects.get()
    assert (after.name, after.show_name, after.comment, after.wants_updates) == (
        "Nadia",
        False,
        "",
        False,
    )
    assert after.confirmed_at == signature.confirmed_at
    assert "Hello Nadia," in message.body  # her own name, as she confirmed it
    assert "Someone Else" not in message.body
    assert not Submission.objects.exists()


def test_the_email_to_a_confirmed_address_lets_its_owner_change_her_own_choices(
    client, campaign, mailoutbox, deliver_emails
):
    make_signature(campaign, email=HER_ADDRESS, name="Nadia Public", show_name=True)
    message = sign_and_get_email(client, mailoutbox, deliver_emails, email=HER_ADDRESS)
    choices = path_of(link_in(message, "choices"))
    assert "Nadia Public" in client.get(WALL).content.decode()

    page = client.get(choices)
    assert page.context["form"]["show_name"].value() is True
    client.post(choices, {"wants_updates": "on"})  # the name box unticked

    signature = Signature.objects.get()
    assert not signature.show_name and signature.wants_updates
    assert signature.updates_consented_at is not None
    assert "Nadia Public" not in client.get(WALL).content.decode()
    assert signature.counts


def test_a_choices_link_expires_like_a_confirmation_link(client, campaign, settings):
    signature = make_signature(campaign)
    path = reverse("pledges:choices", args=[tokens.choices_token(signature)])
    settings.CONFIRMATION_DAYS = 0

    assert client.get(path).status_code == 410


def test_a_confirmation_link_sent_before_forms_were_kept_still_confirms(client, campaign):
    signature = make_signature(campaign, confirmed_at=None, name="Old Link", show_name=True)
    # The token such an email carried: the row's sequential id, and no form.
    legacy = tokens.signing.dumps(
        [signature.pk, tokens._fingerprint(signature.pk, signature, tokens.CONFIRMATION)],
        salt=tokens.CONFIRMATION,
    )

    page = client.get(reverse("pledges:confirm", args=[legacy]))
    assert "Old Link" in page.content.decode()
    confirm_as_shown(client, reverse("pledges:confirm", args=[legacy]))

    assert Signature.objects.get().counts


def test_confirming_with_a_name_nobody_can_read_comes_back_with_the_message(client, campaign):
    signature = make_signature(campaign, confirmed_at=None)
    path = reverse("pledges:confirm", args=[tokens.confirmation_token(signature)])
    page = client.get(path)

    response = client.post(path, form_as_shown(page.context["form"], name="\u3164\u3164"))

    assert response.status_code == 200
    assert "Please remove the invisible characters from your name." in response.content.decode()
    assert not Signature.objects.get().is_confirmed  # nothing half-stored


def test_forms_sent_are_purged_with_the_unconfirmed_signatures(client, campaign, settings):
    client.post(SIGN, signing_form(email=HER_ADDRESS))
    Submission.objects.update(created_at=timezone.now() - timedelta(days=8))
    Signature.objects.update(created_at=timezone.now() - timedelta(days=8))
    settings.CONFIRMATION_DAYS = 7

    call_command("hourly_upkeep", stdout=io.StringIO())

    assert not Submission.objects.exists()
    assert not Signature.objects.exists()


def test_an_expired_form_of_a_confirmed_signature_is_purged_and_the_signature_stays(
    client, campaign
):
    signature = make_signature(campaign, email=HER_ADDRESS)
    client.post(SIGN, signing_form(email=HER_ADDRESS))
    Submission.objects.update(created_at=timezone.now() - timedelta(days=30))

    call_command("hourly_upkeep", stdout=io.StringIO())

    assert not Submission.objects.exists()
    assert Signature.objects.get() == signature


@pytest.fixture
def moderator_client():
    user = User.objects.create_user("mod", "mod@example.org", "a-long-password-1", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_signature", "change_signature"])
    )
    client = HttpsClient()
    client.force_login(user)
    return client


def test_staff_approve_or_hide_what_a_signer_confirmed_but_cannot_rewrite_it(
    moderator_client, campaign
):
    signature = make_signature(campaign, name="Nadia", comment="Her words", show_name=False)
    url = reverse("admin:pledges_signature_change", args=[signature.pk])
    page = moderator_client.get(url)
    for field in ("name", "comment", "show_name", "country", "industry"):
        assert field not in page.context["adminform"].form.fields

    moderator_client.post(
        url,
        {
            "name": "Rewritten",
            "comment": "Not her words",
            "show_name": "on",
            "status": Signature.Status.APPROVED,
            "quote": "",
        },
    )

    signature.refresh_from_db()
    assert (signature.name, signature.comment, signature.show_name) == ("Nadia", "Her words", False)
    assert signature.status == Signature.Status.APPROVED


def test_confirming_records_her_consent_to_the_wording_shown_then(client, campaign):
    # The row was stored from an earlier form (perhaps not hers), under an older wording.
    signature = make_signature(campaign, confirmed_at=None, consent_version="2020-01-01")
    before = timezone.now()

    confirm_as_shown(
        client, reverse("pledges:confirm", args=[tokens.confirmation_token(signature)])
    )

    signature.refresh_from_db()
    assert signature.consent_version == CONSENT_VERSION
    assert signature.consented_at >= before

"""Sending through an email service (django-anymail): its webhook tells the
site which emails were delivered, bounced or reported as spam, and each
takes effect: the address suppressed (as a keyed hash), the signature that
can no longer count marked so, updates stopped, the letter's figures kept.
Sent with anymail's test backend; the webhook gets Postmark's own payloads,
carrying the tag and metadata the site's email was sent with."""

import base64
import importlib
import json

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import transaction
from django.urls import clear_url_caches, reverse
from django.utils import timezone

from pledges.models import EmailKind, EmailTally, Signature, SuppressedAddress
from pledges.models.delivery import address_key
from pledges.updates.services import start_sending_update
from tests.factories import make_featured_campaign, make_signature, signing_form
from tests.pledges.conftest import link_in, path_of
from tests.pledges.test_updates import make_update, subscriber

SIGN = reverse("pledges:sign")
SECRET = "postmark:hook-s3cret"


@pytest.fixture
def through_a_service(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.EMAIL_SERVICE = "postmark"
    mail.outbox = []


@pytest.fixture
def webhook(settings, through_a_service):
    """The tracking webhook as an operator turns it on: ANYMAIL_WEBHOOK_SECRET
    set when the URLs are read (timesup/urls.py mounts it only then)."""
    import timesup.urls

    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    importlib.reload(timesup.urls)
    clear_url_caches()
    yield "/email-events/postmark/tracking/"
    settings.ANYMAIL = {}
    importlib.reload(timesup.urls)
    clear_url_caches()


def post_event(client, url, payload, secret=SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        url,
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def postmark_event(record_type, message, recipient, bounce_type=None):
    """Postmark's webhook payload for an email the site sent (`message`, from
    the outbox): its tag and metadata come back with it, as Postmark sends them."""
    params = message.anymail_test_params
    payload = {
        "RecordType": record_type,
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "ServerID": 23,
        "Tag": params["tags"][0],
        "Metadata": params["metadata"],
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
    }
    if record_type == "Delivery":
        return {**payload, "Recipient": recipient, "DeliveredAt": "2026-12-06T16:33:54Z"}
    return {
        **payload,
        "Type": bounce_type or record_type,
        "Email": recipient,
        "From": "letter@timesup.example.org",
        "BouncedAt": "2026-12-06T16:33:54Z",
        "Inactive": True,
        "CanActivate": True,
        "Subject": message.subject,
    }


@pytest.fixture
def signed(client, through_a_service, deliver_emails):
    """Someone signed with ana@example.org; the worker sent her the
    confirmation email through the service: (signature, message)."""
    make_featured_campaign()
    client.post(SIGN, signing_form(email="ana@example.org"))
    deliver_emails()
    (message,) = mail.outbox
    return Signature.objects.get(email="ana@example.org"), message


def test_every_email_is_tagged_with_its_kind_and_its_letter(signed):
    signature, message = signed

    assert message.anymail_test_params["tags"] == ["confirmation"]
    assert message.anymail_test_params["metadata"] == {
        "kind": "confirmation",
        "letter": str(signature.campaign_id),
    }
    assert EmailTally.objects.get(campaign=signature.campaign, kind="confirmation").sent == 1


def test_a_hard_bounce_suppresses_the_address_and_the_signature_can_never_count(
    client, signed, webhook, caplog
):
    signature, message = signed
    caplog.set_level("DEBUG")

    response = post_event(
        client, webhook, postmark_event("Bounce", message, "ana@example.org", "HardBounce")
    )

    assert response.status_code == 200
    signature.refresh_from_db()
    assert signature.undeliverable_at is not None and not signature.is_confirmed
    # A keyed hash of the mailbox, not the address.
    (entry,) = SuppressedAddress.objects.all()
    assert entry.address_key == address_key("Ana@Example.org")
    assert "ana" not in entry.address_key
    assert entry.reason == SuppressedAddress.Reason.BOUNCED
    # The link in the bounced email (had it arrived) confirms nothing.
    assert client.get(path_of(link_in(message, "confirm"))).status_code == 410
    tally = EmailTally.objects.get(campaign=signature.campaign, kind=EmailKind.CONFIRMATION)
    assert (tally.sent, tally.bounced) == (1, 1)
    assert "Email confirmation bounced" in caplog.text
    assert "ana@example.org" not in caplog.text.lower()


def test_a_soft_bounce_changes_nothing(client, signed, webhook):
    signature, message = signed

    post_event(client, webhook, postmark_event("Bounce", message, "ana@example.org", "Transient"))

    signature.refresh_from_db()
    assert signature.undeliverable_at is None
    assert not SuppressedAddress.objects.exists()


def test_staff_see_the_undeliverable_signature_and_the_hourly_purge_deletes_it(
    client, admin_client, signed, webhook
):
    signature, message = signed
    post_event(client, webhook, postmark_event("Bounce", message, "ana@example.org", "HardBounce"))

    listed = admin_client.get(
        reverse("admin:pledges_signature_changelist"), {"confirmed": "undeliverable"}
    )
    assert signature.name in listed.content.decode()

    call_command("delete_expired", stdout=None)
    assert not Signature.objects.filter(pk=signature.pk).exists()


def test_signing_again_from_a_suppressed_address_gets_the_same_answer_and_no_email(
    client, signed, webhook, deliver_emails
):
    _signature, message = signed
    post_event(client, webhook, postmark_event("Bounce", message, "ana@example.org", "HardBounce"))
    call_command("delete_expired", stdout=None)
    mail.outbox = []

    suppressed = client.post(SIGN, signing_form(email="ana@example.org"))
    anyone = client.post(SIGN, signing_form(email="noor@example.org"))
    deliver_emails()

    assert (suppressed.status_code, suppressed["Location"]) == (
        anyone.status_code,
        anyone["Location"],
    )
    assert [m.to for m in mail.outbox] == [["noor@example.org"]]
    # Her new signature is marked as her first was: it cannot count.
    assert Signature.objects.get(email="ana@example.org").undeliverable_at is not None


def test_a_complaint_about_a_confirmation_email_suppresses_the_address(client, signed, webhook):
    signature, message = signed

    post_event(client, webhook, postmark_event("SpamComplaint", message, "ana@example.org"))

    assert SuppressedAddress.objects.get().reason == SuppressedAddress.Reason.COMPLAINED
    signature.refresh_from_db()
    assert signature.undeliverable_at is not None
    tally = EmailTally.objects.get(campaign=signature.campaign, kind=EmailKind.CONFIRMATION)
    assert tally.complained == 1


def sent_update(campaign, deliver_emails):
    """An update to `campaign`'s subscribers, sent as staff start it, by the worker."""
    with transaction.atomic():
        start_sending_update(make_update(campaign))
    deliver_emails()


def test_a_complaint_about_an_update_stops_updates_to_that_signer_only(
    client, through_a_service, webhook, deliver_emails
):
    campaign = make_featured_campaign()
    reader = subscriber(campaign, email="reader@example.org", status=Signature.Status.APPROVED)
    other = subscriber(campaign, email="other@example.org", status=Signature.Status.APPROVED)
    sent_update(campaign, deliver_emails)
    (message,) = [m for m in mail.outbox if m.to == ["reader@example.org"]]
    assert message.anymail_test_params["tags"] == ["update"]

    post_event(client, webhook, postmark_event("SpamComplaint", message, "reader@example.org"))

    reader.refresh_from_db()
    other.refresh_from_db()
    assert not reader.wants_updates and reader.unsubscribed_at is not None
    assert reader.counts  # her signature stays, and counts
    assert other.wants_updates
    assert not SuppressedAddress.objects.exists()
    tally = EmailTally.objects.get(campaign=campaign, kind=EmailKind.UPDATE)
    assert (tally.sent, tally.complained) == (2, 1)


def test_no_update_goes_to_a_suppressed_address(through_a_service, deliver_emails):
    campaign = make_featured_campaign()
    subscriber(campaign, email="gone@example.org", status=Signature.Status.APPROVED)
    subscriber(campaign, email="here@example.org", status=Signature.Status.APPROVED)
    SuppressedAddress.objects.suppress("gone@example.org", SuppressedAddress.Reason.BOUNCED)

    sent_update(campaign, deliver_emails)

    assert [m.to for m in mail.outbox] == [["here@example.org"]]


def test_deliveries_are_counted_and_the_admin_shows_each_letters_figures(
    client, admin_client, signed, webhook
):
    signature, message = signed

    post_event(client, webhook, postmark_event("Delivery", message, "ana@example.org"))

    page = admin_client.get(reverse("admin:pledges_emailtally_changelist")).content.decode()
    assert signature.campaign.title in page
    tally = EmailTally.objects.get(campaign=signature.campaign, kind=EmailKind.CONFIRMATION)
    assert (tally.sent, tally.delivered, tally.bounced, tally.complained) == (1, 1, 0, 0)
    for column in ["Sent", "Delivered", "Bounced", "Complained", "Complaint rate"]:
        assert column in page


def test_staff_find_a_suppressed_address_by_typing_it_and_lift_it(
    client, admin_client, through_a_service, deliver_emails
):
    make_featured_campaign()
    SuppressedAddress.objects.suppress("lifted@example.org", SuppressedAddress.Reason.BOUNCED)
    SuppressedAddress.objects.suppress("kept@example.org", SuppressedAddress.Reason.COMPLAINED)
    changelist = reverse("admin:pledges_suppressedaddress_changelist")

    found = admin_client.get(changelist, {"q": "Lifted@example.org"})
    (entry,) = found.context["cl"].result_list
    assert entry.address_key == address_key("lifted@example.org")
    assert "lifted@example.org" not in admin_client.get(changelist).content.decode()
    admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )

    client.post(SIGN, signing_form(email="lifted@example.org"))
    deliver_emails()
    assert [m.to for m in mail.outbox] == [["lifted@example.org"]]
    assert SuppressedAddress.objects.count() == 1


def test_moderators_see_the_figures_but_not_the_suppression_list(client, db):
    moderator = User.objects.create_user("mo", password="x", is_staff=True)
    moderator.user_permissions.add(Permission.objects.get(codename="view_signature"))
    client.force_login(moderator)

    assert client.get(reverse("admin:pledges_emailtally_changelist")).status_code == 200
    assert client.get(reverse("admin:pledges_suppressedaddress_changelist")).status_code == 403


def test_the_webhook_refuses_a_post_without_its_secret(client, signed, webhook):
    signature, message = signed
    event = postmark_event("Bounce", message, "ana@example.org", "HardBounce")

    response = post_event(client, webhook, event, secret="postmark:guessed")

    assert response.status_code == 400
    assert not SuppressedAddress.objects.exists()
    signature.refresh_from_db()
    assert signature.undeliverable_at is None


def test_without_a_webhook_secret_there_is_no_webhook(client, signed):
    _signature, message = signed
    event = postmark_event("Bounce", message, "ana@example.org", "HardBounce")

    response = post_event(client, "/email-events/postmark/tracking/", event)

    assert response.status_code == 404
    assert not SuppressedAddress.objects.exists()


def test_check_deploy_warns_when_a_service_sends_without_its_webhook(settings, through_a_service):
    settings.ANYMAIL = {}
    assert "timesup.W004" in {m.id for m in run_checks(include_deployment_checks=True)}

    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    assert "timesup.W004" not in {m.id for m in run_checks(include_deployment_checks=True)}


def test_a_suppression_ends_after_email_suppression_days(db, settings):
    settings.EMAIL_SUPPRESSION_DAYS = 30
    SuppressedAddress.objects.suppress("old@example.org", SuppressedAddress.Reason.BOUNCED)
    entry = SuppressedAddress.objects.get()
    assert (entry.expires_at - entry.suppressed_at).days == 30
    assert SuppressedAddress.objects.among(["old@example.org"]) == {"old@example.org"}

    SuppressedAddress.objects.update(expires_at=timezone.now())
    assert SuppressedAddress.objects.among(["old@example.org"]) == set()
    call_command("delete_expired", stdout=None)
    assert not SuppressedAddress.objects.exists()


def test_the_privacy_notice_says_what_the_suppression_list_keeps_and_for_how_long(
    client, settings, db
):
    settings.EMAIL_SUPPRESSION_DAYS = 200
    make_featured_campaign()

    page = client.get(reverse("pledges:privacy")).content.decode()

    assert "bounce" in page and "200 days" in page
    assert "keyed hash" in page


def test_an_already_confirmed_signer_keeps_counting_when_a_later_email_bounces(
    client, through_a_service, webhook, deliver_emails
):
    campaign = make_featured_campaign()
    signature = make_signature(campaign, email="kept@example.org")
    client.post(SIGN, signing_form(email="kept@example.org"))  # the "already signed" note
    deliver_emails()
    (message,) = mail.outbox

    post_event(client, webhook, postmark_event("Bounce", message, "kept@example.org", "HardBounce"))

    signature.refresh_from_db()
    assert signature.counts and signature.undeliverable_at is None
    assert SuppressedAddress.objects.among(["kept@example.org"])

"""Updates to signers who ask for them: consent, writing, sending by the worker,
at most once each, and one click to stop them."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pledges import tokens
from pledges.consent import UPDATES_CONSENT_VERSION
from pledges.models import Signature, Update, UpdateDelivery
from pledges.updates.tasks import list_recipients
from tests.conftest import HttpsClient, confirm_as_shown
from tests.factories import make_campaign, make_signature, signing_form
from tests.pledges.conftest import path_of

SIGN = reverse("pledges:sign")
CHANGELIST = reverse("admin:pledges_update_changelist")


def make_update(campaign, **fields):
    defaults = {
        "subject": "The Legal Defense Fund has raised $13 million",
        "body": "Thank you.\n\nYour signature helped.",
        "subject_es": "El Fondo de Defensa Legal ha recaudado 13 millones",
        "body_es": "Gracias.",
    }
    return Update.objects.create(campaign=campaign, **{**defaults, **fields})


def subscriber(campaign, **fields):
    """A confirmed signer who asked for updates."""
    return make_signature(
        campaign,
        wants_updates=True,
        updates_consented_at=timezone.now(),
        updates_consent_version=UPDATES_CONSENT_VERSION,
        **fields,
    )


def send(admin_client, update, action="send_to_signers"):
    return admin_client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [update.pk], "confirmed": "yes"},
        follow=True,
    )


def a_minute_passes():
    """As if a minute went by: the next batch's task is due, and the last batch
    is a minute old."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    for update in Update.objects.exclude(last_batch_at=None):
        Update.objects.filter(pk=update.pk).update(
            last_batch_at=update.last_batch_at - timedelta(minutes=1)
        )


# Asking for updates


@pytest.mark.django_db
def test_the_box_is_on_the_form_and_unticked(client, campaign):
    page = client.get(SIGN).content.decode()

    assert 'name="wants_updates"' in page
    assert "Email me updates about this campaign" in page
    assert 'name="wants_updates" id="id_wants_updates" checked' not in page
    assert "checked" not in page


def confirmation_link(signature):
    """The token of the link the email for the form sent with this address carried."""
    return tokens.confirmation_token(signature, signature.submissions.get())


@pytest.mark.django_db
def test_ticking_the_box_records_the_consent_with_its_wording_version(client, campaign):
    client.post(SIGN, signing_form(email="yes@example.org", wants_updates="on"))
    client.post(SIGN, signing_form(email="no@example.org"))
    for signature in Signature.objects.all():
        confirm_as_shown(client, reverse("pledges:confirm", args=[confirmation_link(signature)]))

    asked = Signature.objects.get(email="yes@example.org")
    assert asked.wants_updates
    assert asked.updates_consent_version == UPDATES_CONSENT_VERSION
    assert asked.updates_consented_at is not None
    other = Signature.objects.get(email="no@example.org")
    assert (other.wants_updates, other.updates_consented_at) == (False, None)


@pytest.mark.django_db
def test_someone_else_cannot_sign_an_address_up_by_sending_the_form_again(client, campaign):
    signature = make_signature(campaign, email="ana@example.org")

    client.post(SIGN, signing_form(email="ana@example.org", wants_updates="on"))

    signature.refresh_from_db()
    assert not signature.wants_updates


@pytest.mark.django_db
def test_a_signer_can_ask_for_updates_as_they_confirm(client, campaign):
    signature = make_signature(campaign, confirmed_at=None)
    url = reverse("pledges:confirm", args=[tokens.confirmation_token(signature)])

    assert 'name="wants_updates"' in client.get(url).content.decode()
    page = confirm_as_shown(client, url, wants_updates=True).content.decode()

    signature.refresh_from_db()
    assert signature.is_confirmed and signature.wants_updates
    assert signature.updates_consent_version == UPDATES_CONSENT_VERSION
    assert "We will email you updates" in page


@pytest.mark.django_db
def test_the_confirmed_page_offers_updates_to_those_who_did_not_ask(client, campaign):
    signature = make_signature(campaign, confirmed_at=None)
    url = reverse("pledges:confirm", args=[tokens.confirmation_token(signature)])

    page = confirm_as_shown(client, url).content.decode()
    signature.refresh_from_db()
    assert not signature.wants_updates
    assert '<input type="hidden" name="updates" value="yes">' in page

    client.post(url, {"updates": "yes"})
    signature.refresh_from_db()
    assert signature.wants_updates


# Writing an update


@pytest.mark.django_db
def test_an_update_without_subject_or_body_is_refused_with_a_message(admin_client, campaign):
    response = admin_client.post(
        reverse("admin:pledges_update_add"), {"campaign": campaign.pk, "subject": "", "body": ""}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() == {"subject", "body"}
    assert not Update.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spanish", [{"subject_es": "Noticias", "body_es": ""}, {"subject_es": "", "body_es": "Hola"}]
)
def test_an_update_half_written_in_spanish_is_refused_with_a_message(
    admin_client, campaign, spanish
):
    response = admin_client.post(
        reverse("admin:pledges_update_add"),
        {"campaign": campaign.pk, "subject": "News", "body": "Hello", **spanish},
    )

    errors = response.context["adminform"].form.errors
    missing = "body_es" if spanish["subject_es"] else "subject_es"
    assert "Write both the Spanish subject and the Spanish body, or neither" in str(errors[missing])
    assert not Update.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_an_update_half_written_in_spanish(campaign):
    with pytest.raises(IntegrityError):
        Update.objects.create(
            campaign=campaign, subject="News", body="Hello", subject_es="Noticias"
        )


@pytest.mark.django_db
def test_sending_asks_first_with_how_many_it_reaches_and_each_subject(admin_client, campaign):
    subscriber(campaign)
    subscriber(campaign)
    subscriber(campaign, status=Signature.Status.SPAM)
    update = make_update(campaign)

    asked = admin_client.post(
        CHANGELIST, {"action": "send_to_signers", "_selected_action": [update.pk]}
    )

    page = asked.content.decode()
    assert asked.status_code == 200
    assert "It will reach 2 signers." in page
    assert "The Legal Defense Fund has raised $13 million" in page
    assert "El Fondo de Defensa Legal ha recaudado 13 millones" in page
    update.refresh_from_db()
    assert update.is_draft and not UpdateDelivery.objects.exists()

    send(admin_client, update)  # the second click

    update.refresh_from_db()
    assert update.state == Update.State.SENDING


@pytest.mark.django_db
def test_an_update_is_for_a_published_letter(admin_client, campaign):
    draft = make_campaign(published_at=None)
    response = admin_client.post(
        reverse("admin:pledges_update_add"),
        {"campaign": draft.pk, "subject": "S", "body": "B"},
    )

    assert "campaign" in response.context["adminform"].form.errors


@pytest.mark.django_db
def test_staff_preview_the_update_in_each_language_with_who_would_get_it(admin_client, campaign):
    subscriber(campaign)
    subscriber(campaign, status=Signature.Status.HIDDEN)
    update = make_update(campaign)

    page = admin_client.get(reverse("admin:pledges_update_change", args=[update.pk]))
    text = page.content.decode()

    assert "it would go to 1 signer" in text
    assert "The Legal Defense Fund has raised $13 million" in text
    assert "El Fondo de Defensa Legal ha recaudado 13 millones" in text
    assert "One click stops them" in text and "Un clic" in text


def test_staff_send_themselves_a_test_and_no_signer_gets_it(
    admin_client, admin_user, campaign, deliver_emails
):
    subscriber(campaign)
    update = make_update(campaign)

    send(admin_client, update, action="send_test_to_me")
    assert not mail.outbox  # the worker sends it
    deliver_emails()

    assert [m.to for m in mail.outbox] == [[admin_user.email], [admin_user.email]]
    assert {m.subject for m in mail.outbox} == {update.subject, update.subject_es}
    update.refresh_from_db()
    assert update.is_draft and not UpdateDelivery.objects.exists()


@pytest.mark.django_db
def test_only_staff_with_the_permission_may_send(client, campaign):
    user = User.objects.create_user("writer", is_staff=True, email="w@example.org")
    for codename in ["view_update", "add_update", "change_update"]:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    update = make_update(campaign)

    actions = client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert "send_to_signers" not in dict(actions)
    send(client, update)
    update.refresh_from_db()
    assert update.is_draft

    user.user_permissions.add(Permission.objects.get(codename="send_update"))
    actions = client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert "send_to_signers" in dict(actions)


# Sending


@pytest.fixture
def recipients_and_others(campaign):
    """Who gets an update of the featured letter, and the many who must not."""
    english = subscriber(campaign, email="en@example.org")
    spanish = subscriber(campaign, email="es@example.org", email_language="es")
    subscriber(campaign, email="unconfirmed@example.org", confirmed_at=None)
    subscriber(campaign, email="hidden@example.org", status=Signature.Status.HIDDEN)
    subscriber(campaign, email="spam@example.org", status=Signature.Status.SPAM)
    stopped = subscriber(campaign, email="stopped@example.org")
    stopped.stop_updates()
    anonymised = subscriber(campaign, email="anon@example.org")
    Signature.objects.filter(pk=anonymised.pk).anonymise()
    subscriber(campaign, email="withdrawn@example.org").withdraw()
    make_signature(campaign, email="did-not-ask@example.org")
    subscriber(make_campaign(), email="other-letter@example.org")
    return english, spanish


def test_an_update_goes_to_those_who_asked_only_each_in_their_language(
    admin_client, campaign, recipients_and_others, deliver_emails
):
    update = make_update(campaign)

    response = send(admin_client, update)
    assert not mail.outbox  # nothing sent inside the request
    assert "is being sent" in response.content.decode()
    deliver_emails()

    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("en@example.org", "The Legal Defense Fund has raised $13 million"),
        ("es@example.org", "El Fondo de Defensa Legal ha recaudado 13 millones"),
    ]
    update.refresh_from_db()
    assert update.state == Update.State.SENT
    assert (update.sent_count, update.recipient_total) == (2, 2)
    assert "2 / 2" in admin_client.get(CHANGELIST).content.decode()


def update_received_by(signature, admin_client, campaign, deliver_emails):
    """The email `signature`'s address gets once an update to `campaign` is sent."""
    send(admin_client, make_update(campaign))
    deliver_emails()
    return next(m for m in mail.outbox if m.to == [signature.email])


def test_every_update_carries_a_one_click_unsubscribe(
    admin_client, campaign, recipients_and_others, deliver_emails
):
    english, _ = recipients_and_others
    message = update_received_by(english, admin_client, campaign, deliver_emails)

    link = f"https://testserver/en/updates/stop/{tokens.unsubscribe_token(english)}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body
    assert "Your signature helped." in message.body
    spanish = next(m for m in mail.outbox if m.to != [english.email])
    assert "/es/updates/stop/" in spanish.body


def test_every_update_carries_the_link_to_withdraw_the_signature(
    admin_client, campaign, recipients_and_others, deliver_emails
):
    english, _ = recipients_and_others
    message = update_received_by(english, admin_client, campaign, deliver_emails)

    link = f"https://testserver/en/sign/withdraw/{tokens.withdrawal_token(english)}/"
    assert link in message.body
    assert HttpsClient().get(path_of(link)).status_code == 200  # the page that asks first


def test_pressing_send_twice_sends_nobody_anything_twice(admin_client, campaign, deliver_emails):
    subscriber(campaign)
    update = make_update(campaign)

    send(admin_client, update)
    deliver_emails()
    response = send(admin_client, update)
    deliver_emails()

    assert len(mail.outbox) == 1
    assert "was sent already" in response.content.decode()


def test_a_worker_that_stopped_mid_batch_sends_no_one_the_update_again(
    admin_client, campaign, deliver_emails
):
    first, second = subscriber(campaign), subscriber(campaign)
    update = make_update(campaign)
    # A worker listed the recipients, claimed the first, and died before it
    # sent: nothing more happened for ten minutes.
    ten_minutes_ago = timezone.now() - timedelta(minutes=10)
    Update.objects.filter(pk=update.pk).update(
        state=Update.State.SENDING, send_started_at=ten_minutes_ago, last_batch_at=ten_minutes_ago
    )
    list_recipients(update)
    UpdateDelivery.objects.filter(signature=first).update(claimed_at=ten_minutes_ago)
    assert "stalled" in admin_client.get(CHANGELIST).content.decode()

    send(admin_client, update, action="resume_sending")
    deliver_emails()
    send(admin_client, update, action="resume_sending")  # and once more, for good measure
    deliver_emails()

    assert [m.to for m in mail.outbox] == [[second.email]]


def test_resuming_an_update_its_worker_is_sending_does_nothing(
    admin_client, campaign, settings, deliver_emails
):
    settings.UPDATE_EMAILS_PER_MINUTE = 1
    subscriber(campaign), subscriber(campaign), subscriber(campaign)
    update = make_update(campaign)
    send(admin_client, update)
    deliver_emails()  # one batch taken just now; the next waits its minute

    response = send(admin_client, update, action="resume_sending")
    deliver_emails()

    assert "is being sent (or is not paused): nothing done" in response.content.decode()
    assert len(mail.outbox) == 1  # no second chain of batches
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_updates_leave_at_the_configured_pace_and_can_be_paused(
    admin_client, campaign, settings, deliver_emails
):
    settings.UPDATE_EMAILS_PER_MINUTE = 2
    for _ in range(5):
        subscriber(campaign)
    update = make_update(campaign)

    send(admin_client, update)
    deliver_emails()

    update.refresh_from_db()
    assert (update.state, update.sent_count, update.recipient_total) == ("sending", 2, 5)
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.run_after >= timezone.now() + timedelta(seconds=50)  # the next minute

    send(admin_client, update, action="pause_sending")
    a_minute_passes()
    deliver_emails()
    update.refresh_from_db()
    assert (update.state, update.sent_count) == ("paused", 2)

    send(admin_client, update, action="resume_sending")
    deliver_emails()  # one more batch of 2; the rest waits its minute
    update.refresh_from_db()
    assert update.sent_count == 4
    a_minute_passes()
    deliver_emails()
    update.refresh_from_db()
    assert (update.state, update.sent_count) == ("sent", 5)
    assert len({m.to[0] for m in mail.outbox}) == len(mail.outbox) == 5


def test_resuming_at_once_after_a_pause_keeps_the_pace_of_one_batch_a_minute(
    admin_client, campaign, settings, deliver_emails
):
    settings.UPDATE_EMAILS_PER_MINUTE = 1
    for _ in range(4):
        subscriber(campaign)
    update = make_update(campaign)
    send(admin_client, update)
    deliver_emails()  # one sent; the chain's next task waits its minute

    send(admin_client, update, action="pause_sending")
    send(admin_client, update, action="resume_sending")  # queues a task at once
    deliver_emails()
    update.refresh_from_db()
    assert update.sent_count == 1  # not a second batch within the minute

    a_minute_passes()
    deliver_emails()
    update.refresh_from_db()
    assert update.sent_count == 2  # one chain, one batch a minute
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_a_signer_who_stops_updates_during_a_send_gets_no_more(
    admin_client, campaign, settings, deliver_emails
):
    settings.UPDATE_EMAILS_PER_MINUTE = 1
    subscriber(campaign)
    last = subscriber(campaign)
    update = make_update(campaign)
    send(admin_client, update)
    deliver_emails()

    last.stop_updates()
    a_minute_passes()
    deliver_emails()

    assert last.email not in [m.to[0] for m in mail.outbox]
    update.refresh_from_db()
    assert (update.sent_count, update.recipient_total) == (1, 2)


def test_a_sent_update_can_no_longer_be_edited(admin_client, campaign, deliver_emails):
    update = make_update(campaign)
    send(admin_client, update)
    deliver_emails()

    admin_client.post(
        reverse("admin:pledges_update_change", args=[update.pk]),
        {"subject": "Changed", "body": "Changed", "campaign": campaign.pk},
    )

    update.refresh_from_db()
    assert update.subject != "Changed"


# Stopping updates


@pytest.mark.django_db
def test_the_link_asks_first_then_one_click_stops_updates_and_keeps_the_signature(client, campaign):
    signature = subscriber(campaign)
    url = reverse("updates:unsubscribe", args=[tokens.unsubscribe_token(signature)])

    page = client.get(url)
    signature.refresh_from_db()
    assert page.status_code == 200 and signature.wants_updates  # mail scanners open links
    response = client.post(url)

    assert "You will get no more updates" in response.content.decode()
    signature.refresh_from_db()
    assert not signature.wants_updates and signature.unsubscribed_at is not None
    assert signature.counts
    campaign.refresh_from_db()
    assert campaign.signature_count() == 1


@pytest.mark.django_db
def test_a_mail_provider_s_one_click_post_needs_no_cookie_nor_csrf_token(campaign):
    signature = subscriber(campaign)
    url = reverse("updates:unsubscribe", args=[tokens.unsubscribe_token(signature)])

    response = HttpsClient(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    signature.refresh_from_db()
    assert not signature.wants_updates


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_unsubscribe_link_explains_itself(client, campaign, method):
    signature = subscriber(campaign)
    token = tokens.unsubscribe_token(signature)
    withdrawal = tokens.withdrawal_token(signature)

    for bad in [token[:-3] + "xyz", withdrawal, "nonsense"]:
        response = getattr(client, method)(reverse("updates:unsubscribe", args=[bad]))
        assert response.status_code == 404
        assert "This link doesn" in response.content.decode()
    signature.refresh_from_db()
    assert signature.wants_updates


@pytest.mark.django_db
def test_the_link_of_a_withdrawn_signature_no_longer_works(client, campaign):
    signature = subscriber(campaign)
    url = reverse("updates:unsubscribe", args=[tokens.unsubscribe_token(signature)])
    signature.withdraw()

    assert client.post(url).status_code == 404


def test_the_link_in_an_update_stops_them(
    client, admin_client, campaign, recipients_and_others, deliver_emails
):
    send(admin_client, make_update(campaign))
    deliver_emails()
    english, _ = recipients_and_others
    message = next(m for m in mail.outbox if m.to == [english.email])

    client.post(path_of(message.extra_headers["List-Unsubscribe"].strip("<>")))

    english.refresh_from_db()
    assert not english.wants_updates


# Exporting those who asked


@pytest.mark.django_db
def test_staff_export_those_who_get_updates_as_formula_safe_csv(admin_client, campaign):
    subscriber(campaign, name="=HYPERLINK(1)", email="en@example.org")
    subscriber(campaign, email="stopped@example.org").stop_updates()
    make_signature(campaign, email="did-not-ask@example.org")

    response = admin_client.post(
        reverse("admin:pledges_signature_changelist"),
        {
            "action": "export_update_recipients_csv",
            "_selected_action": list(Signature.objects.values_list("pk", flat=True)),
        },
    )

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "id",
        "campaign",
        "name",
        "email",
        "language",
        "updates_consent_version",
        "updates_consented_at",
    ]
    assert [(row[2], row[3]) for row in rows[1:]] == [("'=HYPERLINK(1)", "en@example.org")]


@pytest.mark.django_db
def test_the_export_needs_the_export_permission(client, campaign):
    user = User.objects.create_user("moderator", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_signature"))
    client.force_login(user)

    response = client.get(reverse("admin:pledges_signature_changelist"))
    actions = response.context["action_form"]  # None: no action at all
    assert actions is None or "export_update_recipients_csv" not in dict(
        actions.fields["action"].choices
    )


@pytest.mark.django_db
def test_the_privacy_notice_describes_updates_and_how_to_stop_them(client, campaign):
    page = client.get(reverse("pledges:privacy")).content.decode()

    assert "Updates about the campaign" in page
    assert "Only if you ask" in page
    assert "use the link at the bottom of any update" in page

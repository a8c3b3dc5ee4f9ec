"""Double opt-in: signing sends a link; only confirmed signatures count."""

import io
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from pledges import tokens
from pledges.models import Signature, Submission
from tests.conftest import confirm_as_shown, count_shown
from tests.factories import make_signature, signing_form
from tests.pledges.conftest import link_in, path_of, sign_and_get_email

pytestmark = pytest.mark.django_db(transaction=True)

SIGN = reverse("pledges:sign")
WALL = reverse("pledges:wall")


def test_signing_emails_a_confirmation_link_and_does_not_count_yet(
    client, campaign, mailoutbox, deliver_emails
):
    message = sign_and_get_email(
        client,
        mailoutbox,
        deliver_emails,
        email="ana@example.org",
        show_name="on",
    )

    assert message.to == ["ana@example.org"]
    assert message.subject == "Confirm your signature of “Time's Up”"
    assert link_in(message, "confirm").startswith("https://testserver/en/sign/confirm/")
    assert link_in(message, "withdraw")
    assert count_shown(client.get(WALL)) == 0
    assert "Ana Lucía Pérez" not in client.get(WALL).content.decode()


def test_the_email_is_queued_not_sent_inside_the_request(client, campaign, mailoutbox):
    from django_tasks_db.models import DBTaskResult

    client.post(SIGN, signing_form())

    assert mailoutbox == []
    assert Submission.objects.owed_an_email().get().signature.email == "ana@example.org"
    task = DBTaskResult.objects.get()
    assert task.task_path == "pledges.tasks.send_requested_emails"
    assert "ana@example.org" not in str(task.args_kwargs)  # the queue holds no address


def test_each_process_queues_one_batch_of_emails_for_many_signatures(
    client, campaign, settings, mailoutbox, deliver_emails
):
    from django_tasks_db.models import DBTaskResult

    settings.EMAIL_BATCH_SECONDS = 60
    for n in range(5):
        client.post(SIGN, signing_form(email=f"batch{n}@example.org"))

    task = DBTaskResult.objects.get()  # one, not five
    assert task.run_after > timezone.now() + timedelta(seconds=50)
    DBTaskResult.objects.update(run_after=timezone.now())  # as when its minute has passed
    deliver_emails()
    assert sorted(m.to[0] for m in mailoutbox) == [f"batch{n}@example.org" for n in range(5)]
    assert not Submission.objects.owed_an_email().exists()


def test_opening_the_link_asks_then_confirming_counts_and_shows_on_the_wall(
    client, campaign, mailoutbox, deliver_emails
):
    message = sign_and_get_email(client, mailoutbox, deliver_emails, show_name="on")
    confirm_path = path_of(link_in(message, "confirm"))

    asked = client.get(confirm_path)
    assert "Confirm my signature" in asked.content.decode()
    assert Signature.objects.get().confirmed_at is None  # a mail scanner's visit confirms nothing

    confirmed = confirm_as_shown(client, confirm_path)

    assert "Your signature is confirmed" in confirmed.content.decode()
    assert count_shown(confirmed) == 1
    assert Signature.objects.get().confirmed_at is not None
    assert "Ana Lucía Pérez" in client.get(WALL).content.decode()


def test_confirming_twice_changes_nothing(client, campaign):
    signature = make_signature(campaign, confirmed_at=None)
    path = reverse("pledges:confirm", args=[tokens.confirmation_token(signature)])
    confirm_as_shown(client, path)
    first = Signature.objects.get().confirmed_at

    response = client.get(path)

    assert "Your signature is confirmed" in response.content.decode()
    assert Signature.objects.get().confirmed_at == first


def link_made_ago(signature, age):
    """The confirmation link as the email sent `age` ago carried it."""
    with mock.patch(
        "django.core.signing.time.time", return_value=time.time() - age.total_seconds()
    ):
        return reverse("pledges:confirm", args=[tokens.confirmation_token(signature)])


def test_a_confirmation_link_a_few_days_old_still_confirms(client, campaign, settings):
    settings.CONFIRMATION_DAYS = 7
    signature = make_signature(campaign, confirmed_at=None)

    response = confirm_as_shown(client, link_made_ago(signature, timedelta(days=6, hours=23)))

    assert response.status_code == 200
    assert Signature.objects.get().confirmed_at is not None


def test_a_confirmation_link_just_past_its_days_has_expired(client, campaign, settings):
    settings.CONFIRMATION_DAYS = 7
    signature = make_signature(campaign, confirmed_at=None)

    response = client.post(link_made_ago(signature, timedelta(days=7, minutes=1)))

    assert response.status_code == 410
    assert Signature.objects.get().confirmed_at is None


def test_an_expired_confirmation_link_says_so_and_confirms_nothing(client, campaign, settings):
    signature = make_signature(campaign, confirmed_at=None)
    path = reverse("pledges:confirm", args=[tokens.confirmation_token(signature)])
    settings.CONFIRMATION_DAYS = 0

    response = client.post(path)

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert Signature.objects.get().confirmed_at is None


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-3], lambda t: t + "x", lambda t: "x" + t[1:], lambda t: "not-a-token"]
)
def test_a_tampered_confirmation_link_is_refused(client, campaign, mangle):
    signature = make_signature(campaign, confirmed_at=None)
    token = mangle(tokens.confirmation_token(signature))

    response = client.post(reverse("pledges:confirm", args=[token]))

    assert response.status_code == 404
    assert "This link doesn't work" in response.content.decode()
    assert Signature.objects.get().confirmed_at is None


def test_a_withdrawal_link_cannot_confirm(client, campaign):
    signature = make_signature(campaign, confirmed_at=None)

    response = client.post(reverse("pledges:confirm", args=[tokens.withdrawal_token(signature)]))

    assert response.status_code == 404
    assert Signature.objects.get().confirmed_at is None


def test_signing_again_unconfirmed_sends_the_link_again_a_few_times_a_day(
    client, campaign, mailoutbox, deliver_emails, settings
):
    settings.CONFIRMATION_RESENDS_PER_DAY = 2
    for _ in range(5):  # each time, the person looked for the email and did not find it
        response = client.post(SIGN, signing_form(email="ana@example.org"))
        assert response.url == reverse("pledges:thanks")
        deliver_emails()

    assert len(mailoutbox) == 3  # the first email and two resends
    assert {m.subject for m in mailoutbox} == {"Confirm your signature of “Time's Up”"}
    assert Signature.objects.count() == 1


def test_resends_start_again_the_next_day(campaign):
    signature = make_signature(campaign, confirmed_at=None)
    assert signature.reserve_email(limit=1)
    assert not signature.reserve_email(limit=1)

    assert signature.reserve_email(limit=1, now=timezone.now() + timedelta(days=1, seconds=1))


def test_signing_again_when_confirmed_sends_an_email_saying_so_with_the_withdrawal_link(
    client, campaign, mailoutbox, deliver_emails
):
    make_signature(campaign, email="ana@example.org")

    message = sign_and_get_email(
        client,
        mailoutbox,
        deliver_emails,
        email="ANA@example.org",
    )

    assert message.subject == "You have already signed “Time's Up”"
    assert link_in(message, "withdraw")
    assert "/en/sign/confirm/" not in message.body


# That every answer is the same for a new, an unconfirmed and a confirmed address:
# tests/pledges/test_refusals_reveal_nothing.py, with rows made as signing makes them.


def test_no_email_address_reaches_the_logs(client, campaign, deliver_emails, caplog):
    with caplog.at_level("DEBUG"):
        client.post(SIGN, signing_form(email="private.person@example.org"))
        client.post(SIGN, signing_form(email="private.person@example.org"))
        deliver_emails()

    assert caplog.records  # the worker did log its work
    assert "private.person" not in caplog.text


def test_each_form_sent_brings_its_own_email_with_its_own_link(
    client, campaign, mailoutbox, deliver_emails
):
    client.post(SIGN, signing_form(email="ana@example.org", name="First Form"))
    client.post(SIGN, signing_form(email="ana@example.org", name="Second Form"))

    deliver_emails()

    links = [path_of(link_in(message, "confirm")) for message in mailoutbox]
    assert len(set(links)) == 2
    assert "First Form" in client.get(links[0]).content.decode()
    assert "Second Form" in client.get(links[1]).content.decode()
    assert Signature.objects.count() == 1


def test_an_email_whose_batch_was_lost_is_sent_by_the_hourly_purge(
    client, campaign, mailoutbox, deliver_emails
):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    client.post(SIGN, signing_form(email="ana@example.org"))
    DBTaskResult.objects.all().delete()  # the queued batch is lost

    call_command("hourly_upkeep", stdout=io.StringIO())
    deliver_emails()

    assert [m.to for m in mailoutbox] == [["ana@example.org"]]


def close_letter(campaign, hours_ago):
    campaign.signing_open = False
    campaign.save()
    type(campaign).objects.filter(pk=campaign.pk).update(
        closed_at=timezone.now() - timedelta(hours=hours_ago)
    )
    campaign.refresh_from_db()


def test_a_signature_confirmed_within_a_day_of_closing_counts(
    client, campaign, mailoutbox, deliver_emails
):
    message = sign_and_get_email(client, mailoutbox, deliver_emails)
    close_letter(campaign, hours_ago=23)

    response = confirm_as_shown(client, path_of(link_in(message, "confirm")))

    assert response.status_code == 200
    campaign.refresh_from_db()
    assert campaign.signature_count() == 1


def test_a_confirmation_later_than_a_day_after_closing_is_refused_and_says_why(
    client, campaign, mailoutbox, deliver_emails
):
    message = sign_and_get_email(client, mailoutbox, deliver_emails)
    close_letter(campaign, hours_ago=25)
    confirm = path_of(link_in(message, "confirm"))

    page = client.get(confirm)
    posted = client.post(confirm)

    assert page.status_code == posted.status_code == 410
    assert "came too late to count" in posted.content.decode()
    assert "within 24 hours of closing" in posted.content.decode()
    assert 'action="' not in page.content.decode()  # no button that cannot work
    campaign.refresh_from_db()
    assert campaign.signature_count() == 0
    assert Signature.objects.get().confirmed_at is None


def test_a_signature_confirmed_before_closing_still_shows_as_confirmed(
    client, campaign, mailoutbox, deliver_emails
):
    message = sign_and_get_email(client, mailoutbox, deliver_emails)
    confirm = path_of(link_in(message, "confirm"))
    confirm_as_shown(client, confirm)
    close_letter(campaign, hours_ago=100)

    response = client.get(confirm)

    assert response.status_code == 200
    assert "counts" in response.content.decode() or "Thank you" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.signature_count() == 1


def test_the_confirmation_email_carries_no_text_a_stranger_chose(
    client, campaign, mailoutbox, deliver_emails
):
    # Issue 20, item 6: anyone can send the form with anyone's address, and
    # the name field would carry their words into her inbox.
    message = sign_and_get_email(client, mailoutbox, deliver_emails, name="Visit Our Shop")

    assert message.body.startswith("Hello,\n")
    assert "Visit Our Shop" not in message.body
    assert "Visit Our Shop" not in message.subject

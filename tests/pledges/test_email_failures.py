"""A mail server that fails never loses a signature: the send is retried."""

import io

import pytest
from django.core.management import call_command
from django.utils.timezone import now
from django_tasks_db.models import DBTaskResult

from pledges.models import Signature
from pledges.tasks import MAX_ATTEMPTS, send_requested_emails, send_signature_email
from tests.factories import make_featured_campaign, make_signature, make_submission

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mail_server_down(settings):
    # A real SMTP connection to a port where nothing listens: refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1
    settings.EMAIL_TIMEOUT = 2


def run_worker():
    call_command("db_worker", batch=True, startup_delay=False, verbosity=2, stdout=io.StringIO())


def test_a_failed_send_keeps_the_signature_and_queues_a_retry(mail_server_down):
    signature = make_signature(make_featured_campaign(), confirmed_at=None)
    submission = make_submission(signature)
    send_signature_email.enqueue(submission.pk)

    run_worker()

    assert Signature.objects.filter(pk=signature.pk).exists()
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.args_kwargs["args"] == [submission.pk]
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}
    assert retry.run_after is not None


def test_after_the_last_attempt_the_task_fails_and_the_signature_stays(mail_server_down):
    signature = make_signature(make_featured_campaign(), confirmed_at=None)
    send_signature_email.enqueue(make_submission(signature).pk, attempt=MAX_ATTEMPTS)

    run_worker()

    assert DBTaskResult.objects.get().status == "FAILED"
    assert DBTaskResult.objects.filter(status="READY").count() == 0
    assert Signature.objects.filter(pk=signature.pk).exists()


def test_the_failure_is_logged_without_the_address(mail_server_down, caplog):
    signature = make_signature(make_featured_campaign(), email="private.person@example.org")
    send_signature_email.enqueue(make_submission(signature).pk)

    with caplog.at_level("DEBUG"):
        run_worker()

    assert f"signature {signature.pk} failed" in caplog.text
    assert "private.person" not in caplog.text


def test_an_email_for_a_withdrawn_signature_is_dropped(mailoutbox):
    signature = make_signature(make_featured_campaign())
    send_signature_email.enqueue(make_submission(signature).pk)
    signature.delete()

    run_worker()

    assert mailoutbox == []
    email_task = DBTaskResult.objects.get(task_path__endswith="send_signature_email")
    assert email_task.status == "SUCCESSFUL"


def test_a_batch_sent_while_the_mail_server_is_down_is_retried_one_by_one(mail_server_down):
    campaign = make_featured_campaign()
    submissions = [
        make_submission(make_signature(campaign, confirmed_at=None), email_requested_at=now())
        for _ in range(3)
    ]
    send_requested_emails.enqueue()

    run_worker()

    retries = DBTaskResult.objects.filter(
        status="READY", task_path__endswith="send_signature_email"
    )
    assert sorted(r.args_kwargs["args"][0] for r in retries) == sorted(s.pk for s in submissions)

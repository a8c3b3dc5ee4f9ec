"""Work done outside the request, by `manage.py db_worker` (Django's tasks API)."""

import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from datetime import timedelta

from anymail.exceptions import AnymailRecipientsRefused
from django import db
from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import default_task_backend, task

from pledges import funnel, mail
from pledges.delivery import SEND_ERRORS
from pledges.models import EmailKind, EmailTally, Signature, Submission, SuppressedAddress
from timesup.infrastructure.writes import one_writer_at_a_time

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Signatures claimed, and their emails sent, at a time.
BATCH = 200


@task()
def send_requested_emails():
    """Send every email that signing forms are owed (see Submission.objects.store),
    a batch at a time, until none is left.

    Each form sent (Submission) is claimed (its request cleared) before its
    email is sent, by one worker alone, so no one gets an email twice however
    many workers run. In the same transaction, the batch's new signatures
    join their sources' figures, those of suppressed addresses are set aside
    (and marked undeliverable), and the rest are counted against each
    address's daily cap: the database is written twice a batch, not once an
    email (on SQLite, in the queue of writers that signing uses). Then the
    emails leave over EMAIL_CONNECTIONS connections to the mail server at
    once (send_batch). A send that fails is retried on its own
    (send_signature_email)."""
    sent = 0
    while True:
        with one_writer_at_a_time(), transaction.atomic():
            batch = list(
                Submission.objects.owed_an_email()
                .select_related("signature__campaign")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("email_requested_at")[:BATCH]
            )
            Submission.objects.filter(pk__in=[s.pk for s in batch]).update(email_requested_at=None)
            # New signatures join their source's figures here, a batch at a
            # time, not in the signing request (pledges/funnel.py).
            funnel.count_signed(Signature.objects.filter(pk__in={s.signature_id for s in batch}))
            # Nothing to an address that bounced or complained (pledges/delivery.py):
            # its signature, if still unconfirmed, can never count.
            suppressed = SuppressedAddress.objects.among({s.signature.email for s in batch})
            if suppressed:
                Signature.objects.filter(
                    pk__in={s.signature_id for s in batch if s.signature.email in suppressed}
                ).mark_undeliverable()
                batch_to_send = [s for s in batch if s.signature.email not in suppressed]
            else:
                batch_to_send = batch
            allowed = Signature.objects.reserve_emails(
                Counter(s.signature_id for s in batch_to_send),
                limit=1 + settings.CONFIRMATION_RESENDS_PER_DAY,
            )
        if not batch:
            return f"{sent} sent"
        # The oldest forms of each address, as many as its cap allows today.
        within_cap = []
        for submission in batch_to_send:
            if allowed.get(submission.signature_id, 0) > 0:
                allowed[submission.signature_id] -= 1
                within_cap.append(submission)
        delivered = send_batch(within_cap)
        sent += len(delivered)
        # The batch's bookkeeping, from this thread, in the writers' queue: a
        # confirmed signature takes nothing from a form that told its owner
        # so (one statement), and the letters' figures count what was sent.
        with one_writer_at_a_time(), transaction.atomic():
            done = [s.pk for s in delivered if s.signature.is_confirmed]
            Submission.objects.filter(pk__in=done).delete()
            for campaign_id, count in Counter(s.signature.campaign_id for s in delivered).items():
                EmailTally.objects.add(campaign_id, EmailKind.CONFIRMATION, sent=count)


def send_batch(submissions):
    """Send the emails of `submissions` (their cap already counted) over up to
    EMAIL_CONNECTIONS connections to the mail server at once, each in a
    thread of its own with its own share of the batch: a mail server answers
    each email in four round trips, which one connection waits through one
    email at a time. Each connection carries its whole share (opening one
    per email, with TLS and a login, cost more than the email). The threads
    touch no row (but to queue a retry): the batch does its bookkeeping.
    Returns the submissions whose email was sent."""
    shares = [
        submissions[n :: settings.EMAIL_CONNECTIONS] for n in range(settings.EMAIL_CONNECTIONS)
    ]
    shares = [share for share in shares if share]
    if not shares:
        return []
    with ThreadPoolExecutor(max_workers=len(shares)) as pool:
        return [
            submission
            for sent in pool.map(_send_over_one_connection, shares)
            for submission in sent
        ]


def _send_over_one_connection(submissions):
    connection = get_connection()
    # If it cannot be opened, each email tries on its own, and is retried (deliver).
    with suppress(*SEND_ERRORS):
        connection.open()
    try:
        return [s for s in submissions if deliver(s, connection=connection, in_batch=True)]
    finally:
        connection.close()
        db.connection.close()  # this thread's own, if it queued a retry


@task()
def send_signature_email(submission_id, attempt=1):
    """One form's email, again after a failed send (see deliver())."""
    submission = (
        Submission.objects.select_related("signature__campaign").filter(pk=submission_id).first()
    )
    if submission is None:
        return "withdrawn"  # withdrawn, confirmed or purged while the email waited
    return "sent" if deliver(submission, attempt) else "not sent"


def deliver(submission, attempt=1, connection=None, in_batch=False):
    """Email the address a form was sent with: the link to confirm what that
    form asked to publish, or, if the signature is confirmed already, a note
    saying so with links to change its owner's own choices and to withdraw
    (nothing of that form applies). In the language of the form's page. An
    address gets at most 1 + CONFIRMATION_RESENDS_PER_DAY of these a day,
    however often the form is sent with it. On a mail-server failure, a retry
    is queued with a growing delay; the signature is never touched by a
    failure. With `connection` (open, for a batch), sent through it;
    `in_batch`: the batch counted it against the cap, and deletes the form
    of a confirmed signature, itself. True if sent."""
    signature = submission.signature
    if not in_batch and SuppressedAddress.objects.among([signature.email]):
        Signature.objects.filter(pk=signature.pk).mark_undeliverable()
        return False  # its address bounced or complained since (the batch asked for its own)
    if (
        attempt == 1
        and not in_batch
        and not signature.reserve_email(limit=1 + settings.CONFIRMATION_RESENDS_PER_DAY)
    ):
        return False  # enough sent today
    kind = mail.ALREADY_SIGNED if signature.is_confirmed else mail.CONFIRMATION_REQUEST
    try:
        with translation.override(submission.language or settings.LANGUAGE_CODE):
            message = mail.signature_email(submission, kind)
        message.connection = connection
        message.send()
    except AnymailRecipientsRefused:
        # The email service will not send to it (its own suppression list):
        # no retry would either; its webhook says why (pledges/delivery.py).
        logger.warning("Email %s for signature %s refused by the service", kind, signature.pk)
        return False
    except SEND_ERRORS as error:
        if connection is not None:
            connection.close()  # the next message opens a fresh one
        # Logged by id and error class only: the message names the address.
        logger.warning(
            "Email %s for signature %s failed (attempt %d): %s",
            kind,
            signature.pk,
            attempt,
            type(error).__name__,
        )
        if attempt >= MAX_ATTEMPTS or not default_task_backend.supports_defer:
            raise
        send_signature_email.using(
            run_after=timezone.now() + timedelta(minutes=2**attempt)
        ).enqueue(submission.pk, attempt=attempt + 1)
        return False
    if not in_batch:
        EmailTally.objects.add(signature.campaign_id, EmailKind.CONFIRMATION, sent=1)
        if kind == mail.ALREADY_SIGNED:
            submission.delete()  # a confirmed signature takes nothing from it
    return True

"""What visitors and staff do that spans several rows or the worker: signing
the letter (the network's budget, the signature, its email), confirming it,
and sending an update to the letter's signers."""

import threading
import time
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django_tasks.backends.immediate import ImmediateBackend

from pledges import throttle
from pledges.models import Signature, Update
from pledges.tasks import send_requested_emails, send_update, send_update_test
from timesup.writes import one_writer_at_a_time


def sign_letter(campaign, details, client):
    """Sign `campaign` with a form's cleaned `details` for `client` (an IP hash).

    The same work, and so the same answer, whether the address is new, waiting
    for its confirmation or confirmed: one unit of the client's budget is
    spent, and one statement stores the signature unless the address has one
    already (the database decides, never a look-up first) and notes the email
    it is owed. The worker then writes either the confirmation link or, to a
    confirmed signer, a note saying so with the withdrawal link, a few times a
    day at most; nothing in the answer reveals who has signed.

    Raises throttle.RateLimited, with nothing stored, once the client's budget
    for the hour is spent.
    """
    # One statement is atomic by itself: a transaction is needed only when the
    # budget is a row of the same database (else BEGIN and COMMIT were two
    # round trips for nothing: a fifth of a signature on PostgreSQL).
    atomically = transaction.atomic() if throttle.counts_in_database() else nullcontext()
    with one_writer_at_a_time(), atomically:
        throttle.spend_signing_budget(client)
        # In the language of the page the form was sent from.
        Signature.objects.store(campaign, details, ip_hash=client, language=get_language())
        transaction.on_commit(email_batches.after_a_signature)


class ConfirmationsClosed(Exception):
    """The letter closed more than CONFIRMATION_GRACE_HOURS ago: too late to count."""


def confirm_signature(signature, choices):
    """The signer opened their link and confirmed `choices` (what is published,
    see Signature.confirm): the signature counts, and the unit of their
    network's budget it spent comes back (pledges/throttle.py).

    After the letter's close, and its grace hours, an unconfirmed signature
    can no longer be confirmed: the final count is final."""
    if signature.too_late_to_confirm:
        raise ConfirmationsClosed
    if signature.confirm(choices):
        throttle.give_back(signature.ip_hash, signature.created_at)


class EmailBatches:
    """Queues the worker's task that sends the emails signers are owed: at most
    one every EMAIL_BATCH_SECONDS from this process, instead of one task per
    signature (a task row per signature was a fifth of a signing request).

    Called after each signature is committed. If the task queued last is still
    to run (it runs EMAIL_BATCH_SECONDS after it was queued), it will find this
    signature; otherwise a new one is queued. So every stored signature has a
    task that runs after it, and its email leaves within about that long."""

    def __init__(self):
        self._lock = threading.Lock()
        self._last_runs_at = 0.0  # time.monotonic() of the queued task's start

    def forget(self):
        """Queue a new task after the next signature, whatever was queued before."""
        self._last_runs_at = 0.0

    def after_a_signature(self):
        if isinstance(send_requested_emails.get_backend(), ImmediateBackend):
            send_requested_emails.enqueue()  # `make run`: sent at once
            return
        seconds = settings.EMAIL_BATCH_SECONDS
        with self._lock:
            now = time.monotonic()
            if now < self._last_runs_at:
                return  # the task queued last has not run yet: it will send this one
            self._last_runs_at = now + seconds
        send_requested_emails.using(run_after=timezone.now() + timedelta(seconds=seconds)).enqueue()


email_batches = EmailBatches()


# Updates to signers: staff press the admin's actions; the worker sends.


def start_sending_update(update):
    """Queue a draft update for the worker to send (pledges/tasks.py). False,
    with nothing queued, if it is sent or being sent already: pressing the
    action twice sends nobody anything twice."""
    started = Update.objects.filter(pk=update.pk, state=Update.State.DRAFT).update(
        state=Update.State.SENDING, send_started_at=timezone.now()
    )
    if started:
        transaction.on_commit(lambda: send_update.enqueue(update.pk))
    return bool(started)


def pause_update(update):
    """Stop after the batch being sent; False if it was not being sent."""
    return bool(
        Update.objects.filter(pk=update.pk, state=Update.State.SENDING).update(
            state=Update.State.PAUSED
        )
    )


def resume_update(update):
    """Send the rest of a paused update, or of one whose worker stopped
    mid-send (no batch for Update.STALLED_AFTER): those already sent to are
    not sent to again. False for one whose worker is still sending it. If
    the paused update's next batch is still queued, the worker sends one
    batch a minute all the same (tasks.send_update_batch)."""
    now = timezone.now()
    stalled = models.Q(state=Update.State.SENDING) & (
        models.Q(last_batch_at__lt=now - Update.STALLED_AFTER)
        | models.Q(
            last_batch_at__isnull=True,
            send_started_at__lt=now - Update.STALLED_AFTER,
        )
    )
    resumed = (
        Update.objects.filter(pk=update.pk)
        .filter(models.Q(state=Update.State.PAUSED) | stalled)
        .update(state=Update.State.SENDING)
    )
    if resumed:
        transaction.on_commit(lambda: send_update.enqueue(update.pk))
    return bool(resumed)


def send_test_of_update(update, address, language):
    """The update, as a recipient in `language` gets it, to a staff member's address."""
    transaction.on_commit(lambda: send_update_test.enqueue(update.pk, address, language))

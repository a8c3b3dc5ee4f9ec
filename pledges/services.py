"""What a signer does that spans several rows or the worker: signing the
letter (the network's budget, the signature, its email) and confirming it."""

import threading
import time
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django_tasks.backends.immediate import ImmediateBackend

from pledges import throttle
from pledges.models import Submission
from pledges.tasks import send_requested_emails
from timesup.infrastructure.writes import one_writer_at_a_time


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
    # In the language of the page the form was sent from; its values made
    # before the writers' queue is joined, so that each holds it for less.
    store = Submission.objects.prepare_store(
        campaign, details, ip_hash=client, language=get_language()
    )
    with one_writer_at_a_time(), atomically:
        throttle.spend_signing_budget(client)
        store()
        transaction.on_commit(email_batches.after_a_signature)


def confirm_signature(signature, choices):
    """The signer opened their link and confirmed `choices` (what is published,
    see Signature.confirm): the signature counts, and the unit of their
    network's budget it spent comes back (pledges/throttle.py). The caller
    has turned away a signature that is too late to confirm
    (Signature.too_late_to_confirm, the rule's one statement). Returns her
    receipt (pledges/transparency/log.py), the first time only."""
    receipt = signature.confirm(choices)
    if receipt:
        throttle.give_back(signature.ip_hash, signature.created_at)
    return receipt


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
            send_requested_emails.enqueue()  # TASKS_IMMEDIATE (`make dev`): sent at once
            return
        seconds = settings.EMAIL_BATCH_SECONDS
        with self._lock:
            now = time.monotonic()
            if now < self._last_runs_at:
                return  # the task queued last has not run yet: it will send this one
            self._last_runs_at = now + seconds
        send_requested_emails.using(run_after=timezone.now() + timedelta(seconds=seconds)).enqueue()


email_batches = EmailBatches()

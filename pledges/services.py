"""What a signer does that spans several rows or the worker: signing the
letter (the network's budget, the signature, its email) and confirming it."""

from contextlib import nullcontext

from django.db import transaction
from django.utils.translation import get_language

from pledges import throttle
from pledges.models import Submission
from timesup.infrastructure.batched_tasks import BatchedTask
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
        transaction.on_commit(email_batches.queue)


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


# The worker's task that sends the emails signers are owed: at most one queued
# every EMAIL_BATCH_SECONDS from this process, not one per signature.
email_batches = BatchedTask("pledges.tasks.send_requested_emails", "EMAIL_BATCH_SECONDS")

"""Signing the letter: one write that spans the network's budget, the signature, its email."""

from functools import partial

from django.db import transaction
from django.utils.translation import get_language
from django_tasks.backends.immediate import ImmediateBackend

from pledges import throttle
from pledges.models import Signature
from pledges.tasks import send_signature_email


def sign_letter(campaign, details, client):
    """Sign `campaign` with a form's cleaned `details` for `client` (an IP hash).

    The same work, and so the same answer, whether the address is new, waiting
    for its confirmation or confirmed: one unit of the client's budget is
    spent, the signature is stored unless the address has one already (the
    database decides, never a look-up first), and one email is queued. The
    worker then writes either the confirmation link or, to a confirmed
    signer, a note saying so with the withdrawal link, a few times a day at
    most; nothing in the answer reveals who has signed.

    Raises throttle.RateLimited, with nothing stored, once the client's budget
    for the hour is spent.
    """
    with transaction.atomic():
        throttle.spend_signing_budget(client)
        signature_id = Signature.objects.store(campaign, details, ip_hash=client)
        # Written in the language of the page the form was sent from.
        queue_email = partial(send_signature_email.enqueue, signature_id, language=get_language())
        if isinstance(send_signature_email.get_backend(), ImmediateBackend):
            # Sent at once (TASKS_IMMEDIATE, `make run`): only once committed.
            transaction.on_commit(queue_email)
        else:
            # A row in this same transaction: the signature and its email are
            # stored together or not at all, in one write (SQLite has one
            # writer at a time: a second transaction per signature halved
            # how many it took a second).
            queue_email()
    return signature_id

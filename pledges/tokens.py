"""Links in emails: signed, tamper-proof, no table behind them.

A token names a signature by its random public id (nothing in it tells how
many rows there are) and carries a fingerprint of its canonical address, so
it stops working once that signature is withdrawn (or the row anonymised).
A confirmation link also names the Submission (the form sent) whose choices
its page shows: only the row's key, never the choices themselves, which
anyone who sees the link could read.

Links sent before public ids existed name the row's sequential id; they keep
working (withdrawal links never expire).
"""

import uuid

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from pledges.models import Signature, Submission

# What a link is for; each purpose signs with its own salt, so a withdrawal
# link can never be used as a confirmation link or the other way round.
CONFIRMATION = "pledges.confirm"
WITHDRAWAL = "pledges.withdraw"
UNSUBSCRIBE = "pledges.unsubscribe"
# A confirmed signer's own choices (name shown, updates), from the email her
# address gets when someone signs with it again.
CHOICES = "pledges.choices"

# Links that act for a signer who has not yet confirmed, or who did not ask
# for this email: they expire.
_EXPIRING = {CONFIRMATION, CHOICES}


class InvalidLink(Exception):
    """Tampered with, cut short, or for a signature that no longer exists."""


class ExpiredLink(Exception):
    """A confirmation (or choices) link older than CONFIRMATION_DAYS."""


def _fingerprint(name, signature, purpose):
    return salted_hmac(purpose, f"{name}:{signature.email_canonical}").hexdigest()[:20]


def make_token(signature, purpose, submission=None):
    name = signature.public_id.hex
    parts = [name, _fingerprint(name, signature, purpose)]
    if submission is not None:
        parts.append(submission.key.hex)
    return signing.dumps(parts, salt=purpose)


def confirmation_token(signature, submission=None):
    return make_token(signature, CONFIRMATION, submission)


def withdrawal_token(signature):
    return make_token(signature, WITHDRAWAL)


def unsubscribe_token(signature):
    return make_token(signature, UNSUBSCRIBE)


def choices_token(signature):
    return make_token(signature, CHOICES)


def _load(token, purpose):
    """(signature, the submission key the token names or None)."""
    max_age = settings.CONFIRMATION_DAYS * 86400 if purpose in _EXPIRING else None
    try:
        name, fingerprint, *rest = signing.loads(token, salt=purpose, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ExpiredLink from error
    except (signing.BadSignature, TypeError, ValueError) as error:
        raise InvalidLink from error
    signatures = Signature.objects.select_related("campaign")
    if isinstance(name, int) and not isinstance(name, bool):
        signature = signatures.filter(pk=name).first()  # a link sent before public ids
    elif isinstance(name, str) and _is_uuid(name):
        signature = signatures.filter(public_id=name).first()
    else:
        raise InvalidLink
    if signature is None or not constant_time_compare(
        fingerprint, _fingerprint(name, signature, purpose)
    ):
        raise InvalidLink
    submission_key = rest[0] if rest and isinstance(rest[0], str) and _is_uuid(rest[0]) else None
    return signature, submission_key


def signature_from_token(token, purpose):
    """The signature a link is for. Confirmation and choices links expire;
    withdrawal and unsubscribe links work as long as the signature is there."""
    return _load(token, purpose)[0]


def confirmation_from_token(token):
    """(signature, the Submission whose choices the link shows, or None: a link
    sent before submissions were kept, or one whose form has gone since)."""
    signature, key = _load(token, CONFIRMATION)
    submission = None
    if key is not None:
        submission = Submission.objects.filter(key=key, signature=signature).first()
    return signature, submission


def _is_uuid(value):
    try:
        uuid.UUID(hex=value)
    except ValueError:
        return False
    return True

"""Links in emails: signed, tamper-proof, no table behind them.

A token names a signature and carries a fingerprint of its canonical address,
so it stops working once that signature is withdrawn (or the row anonymised),
even if the database were ever to hand its id out again.
"""

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from pledges.models import Signature

# What a link is for; each purpose signs with its own salt, so a withdrawal
# link can never be used as a confirmation link or the other way round.
CONFIRMATION = "pledges.confirm"
WITHDRAWAL = "pledges.withdraw"
UNSUBSCRIBE = "pledges.unsubscribe"


class InvalidLink(Exception):
    """Tampered with, cut short, or for a signature that no longer exists."""


class ExpiredLink(Exception):
    """A confirmation link older than CONFIRMATION_DAYS."""


def _fingerprint(signature, purpose):
    return salted_hmac(purpose, f"{signature.pk}:{signature.email_canonical}").hexdigest()[:20]


def make_token(signature, purpose):
    return signing.dumps([signature.pk, _fingerprint(signature, purpose)], salt=purpose)


def confirmation_token(signature):
    return make_token(signature, CONFIRMATION)


def withdrawal_token(signature):
    return make_token(signature, WITHDRAWAL)


def unsubscribe_token(signature):
    return make_token(signature, UNSUBSCRIBE)


def signature_from_token(token, purpose):
    """The signature a link is for. Confirmation links expire; withdrawal and
    unsubscribe links work as long as the signature is there."""
    max_age = settings.CONFIRMATION_DAYS * 86400 if purpose == CONFIRMATION else None
    try:
        pk, fingerprint = signing.loads(token, salt=purpose, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ExpiredLink from error
    except (signing.BadSignature, TypeError, ValueError) as error:
        raise InvalidLink from error
    signature = Signature.objects.filter(pk=pk).select_related("campaign").first()
    if signature is None or not constant_time_compare(
        fingerprint, _fingerprint(signature, purpose)
    ):
        raise InvalidLink
    return signature

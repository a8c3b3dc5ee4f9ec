"""Signing the letter: one write that spans the signature, its consent, the limits and the email."""

from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import get_language

from pledges import mail, throttle
from pledges.addresses import canonical_email
from pledges.consent import CONSENT_VERSION
from pledges.models import Signature
from pledges.tasks import send_signature_email


def sign(campaign, data, client, base_url):
    """Sign `campaign` with a form's cleaned `data` for `client` (an IP hash).

    A new address is stored, unconfirmed, and sent a confirmation link. An
    address that has signed already is never stored twice: if unconfirmed it
    gets its link again (a few times a day at most), if confirmed an email
    saying so, with its withdrawal link. The caller answers the same in every
    case, so the form reveals nothing about who has signed.

    Raises throttle.RateLimited, with nothing stored, when this client has
    signed or been sent emails too often.
    """
    with transaction.atomic():
        signature, created = _store(campaign, data, client)
        if created:
            throttle.hit("sign", client, settings.SIGNING_RATE_LIMIT)
        kind = mail.ALREADY_SIGNED if signature.is_confirmed else mail.CONFIRM
        if signature.reserve_email(limit=1 + settings.CONFIRMATION_RESENDS_PER_DAY):
            throttle.hit("email", client, settings.EMAIL_RATE_LIMIT)
            # Queued only once the signature is committed: the worker must find
            # it. Written in the language of the page the form was sent from.
            transaction.on_commit(
                partial(
                    send_signature_email.enqueue,
                    signature.pk,
                    kind,
                    base_url,
                    language=get_language(),
                )
            )
    return signature


def _store(campaign, data, client):
    """(signature, created): the database's unique constraint decides, not a
    look-up first, so two identical submissions at one instant store one row."""
    try:
        with transaction.atomic():
            return Signature.objects.create(
                campaign=campaign, ip_hash=client, consent_version=CONSENT_VERSION, **data
            ), True
    except IntegrityError:
        existing = Signature.objects.filter(
            campaign=campaign, email_canonical=canonical_email(data["email"])
        ).first()
        if existing is None:
            raise
        return existing, False

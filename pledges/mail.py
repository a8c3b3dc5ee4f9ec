"""The emails a signer receives, written from templates in pledges/templates/pledges/email/.

Links are absolute, on SITE_URL: a worker has no request to take the host from.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from pledges import tokens

# Kinds of email, each a pair of templates: <kind>_subject.txt and <kind>_body.txt.
CONFIRMATION_REQUEST = "confirm"
ALREADY_SIGNED = "already_signed"
KINDS = (CONFIRMATION_REQUEST, ALREADY_SIGNED)


def absolute_url(path):
    return settings.SITE_URL + path


def signature_email(signature, kind):
    """The message of `kind` for this signer."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of email: {kind}")
    context = {
        "signature": signature,
        "campaign": signature.campaign,
        "confirm_url": absolute_url(
            reverse("pledges:confirm", args=[tokens.confirmation_token(signature)])
        ),
        "withdraw_url": absolute_url(
            reverse("pledges:withdraw", args=[tokens.withdrawal_token(signature)])
        ),
        "privacy_url": absolute_url(reverse("pledges:privacy")),
    }
    subject = render_to_string(f"pledges/email/{kind}_subject.txt", context)
    body = render_to_string(f"pledges/email/{kind}_body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[signature.email])

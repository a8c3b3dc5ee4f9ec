"""The emails a signer receives, written from templates in pledges/templates/pledges/email/."""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from pledges import tokens

CONFIRM = "confirm"
ALREADY_SIGNED = "already_signed"
KINDS = (CONFIRM, ALREADY_SIGNED)


def signature_email(signature, kind, base_url):
    """The message of `kind` for this signer; links are absolute, on `base_url`."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of email: {kind}")
    context = {
        "signature": signature,
        "campaign": signature.campaign,
        "confirm_url": base_url
        + reverse("pledges:confirm", args=[tokens.confirmation_token(signature)]),
        "withdraw_url": base_url
        + reverse("pledges:withdraw", args=[tokens.withdrawal_token(signature)]),
        "privacy_url": base_url + reverse("pledges:privacy"),
    }
    subject = render_to_string(f"pledges/email/{kind}_subject.txt", context)
    body = render_to_string(f"pledges/email/{kind}_body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[signature.email])

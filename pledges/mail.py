"""The emails a signer receives, written from templates in pledges/templates/pledges/email/.

Links are absolute, on SITE_URL (timesup/infrastructure/site_address.py).
"""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from pledges import tokens
from timesup.infrastructure.site_address import absolute_reverse

# Kinds of email, each a pair of templates: <kind>_subject.txt and <kind>_body.txt.
CONFIRMATION_REQUEST = "confirm"
ALREADY_SIGNED = "already_signed"
KINDS = (CONFIRMATION_REQUEST, ALREADY_SIGNED)


def signature_email(submission, kind):
    """The message of `kind` for the address a form (`submission`) was sent with.

    The confirmation request goes to an address nobody has confirmed yet, so
    it carries no text a stranger chose: no name in its greeting (the
    confirmation page shows the form's choices to the mailbox's owner)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of email: {kind}")
    signature = submission.signature
    context = {
        "signature": signature,
        "campaign": signature.campaign,
        "confirm_url": absolute_reverse(
            "pledges:confirm", args=[tokens.confirmation_token(signature, submission)]
        ),
        "choices_url": absolute_reverse("pledges:choices", args=[tokens.choices_token(signature)]),
        "withdraw_url": absolute_reverse(
            "pledges:withdraw", args=[tokens.withdrawal_token(signature)]
        ),
        "privacy_url": absolute_reverse("pledges:privacy"),
    }
    subject = render_to_string(f"pledges/email/{kind}_subject.txt", context)
    body = render_to_string(f"pledges/email/{kind}_body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[signature.email])

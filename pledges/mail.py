"""The emails a signer receives, written from templates in pledges/templates/pledges/email/.

Links are absolute, on SITE_URL (timesup/infrastructure/site_address.py).
Every one is an automated email as mail providers expect it (automated_email).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string

from pledges import tokens
from pledges.models import EmailKind
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
    subject = " ".join(render_to_string(f"pledges/email/{kind}_subject.txt", context).split())
    return automated_email(
        subject,
        f"pledges/email/{kind}_body",
        context,
        to=signature.email,
        kind=EmailKind.CONFIRMATION,
        letter=signature.campaign_id,
    )


def automated_email(subject, template, context, to, headers=None, kind=None, letter=None):
    """An email the site sends by itself, as large mail providers expect one:
    `Auto-Submitted: auto-generated` (RFC 3834: no out-of-office replies to
    it), a Message-ID on the site's own domain (SITE_URL's host, not the
    sending machine's name), and a plain-text part with an HTML part, both
    from `template` (+ ".txt", + ".html"). The HTML part loads nothing from
    anywhere: no image, no tracking pixel.

    Sent through an email service (django-anymail), it is tagged with its
    `kind` (an EmailKind) and carries the `letter`'s id as metadata, which the
    service's webhook reports back with a bounce or a complaint
    (pledges/delivery.py); plain SMTP ignores both."""
    context = {**context, "subject": subject}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[to],
        headers={
            "Auto-Submitted": "auto-generated",
            "Message-ID": make_msgid(domain=urlsplit(settings.SITE_URL).hostname),
            **(headers or {}),
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    if kind is not None:
        message.tags = [kind]  # one tag: some services (Postmark) take no more
        message.metadata = {"kind": kind, "letter": str(letter or "")}
    return message

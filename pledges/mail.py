"""The emails a signer receives, written from templates in pledges/templates/pledges/email/.

Links are absolute, on SITE_URL: a worker has no request to take the host from.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from pledges import tokens

# Kinds of email, each a pair of templates: <kind>_subject.txt and <kind>_body.txt.
CONFIRMATION_REQUEST = "confirm"
ALREADY_SIGNED = "already_signed"
KINDS = (CONFIRMATION_REQUEST, ALREADY_SIGNED)


def absolute_url(path):
    return settings.SITE_URL + path


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
        "confirm_url": absolute_url(
            reverse("pledges:confirm", args=[tokens.confirmation_token(signature, submission)])
        ),
        "choices_url": absolute_url(
            reverse("pledges:choices", args=[tokens.choices_token(signature)])
        ),
        "withdraw_url": absolute_url(
            reverse("pledges:withdraw", args=[tokens.withdrawal_token(signature)])
        ),
        "privacy_url": absolute_url(reverse("pledges:privacy")),
    }
    subject = render_to_string(f"pledges/email/{kind}_subject.txt", context)
    body = render_to_string(f"pledges/email/{kind}_body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[signature.email])


def update_email(update, signature=None, to=None, language=None):
    """An update, as its recipient `signature` gets it: in the language they
    signed in, with the link that stops updates in its body and in the
    List-Unsubscribe headers, which mail providers show as their own button
    and press with one POST (RFC 8058). Without a signature (a test sent to
    staff at `to`, in `language`), the link is one that does nothing."""
    language = signature.email_language if signature else language
    with translation.override(language or settings.LANGUAGE_CODE):
        token = tokens.unsubscribe_token(signature) if signature else "test-email"
        unsubscribe_url = absolute_url(reverse("pledges:unsubscribe", args=[token]))
        context = {
            "update": update,
            "campaign": update.campaign,
            "body": update.local_body.replace("\r\n", "\n").strip(),
            "letter_url": absolute_url(update.campaign.page_url()),
            "unsubscribe_url": unsubscribe_url,
            "privacy_url": absolute_url(reverse("pledges:privacy")),
        }
        subject = " ".join(update.local_subject.split())
        body = render_to_string("pledges/email/update_body.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[signature.email if signature else to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )

"""The email an update is: its body, the letter's link and the link that stops updates."""

from django.conf import settings
from django.utils import translation

from pledges import tokens
from pledges.mail import automated_email
from pledges.models import EmailKind
from timesup.infrastructure.site_address import absolute_reverse, absolute_url


def update_email(update, signature=None, to=None, language=None):
    """An update, as its recipient `signature` gets it: in the language they
    signed in, with the link that stops updates in its body and in the
    List-Unsubscribe headers, which mail providers show as their own button
    and press with one POST (RFC 8058), and, as in every email the site
    sends, the link to withdraw the signature. Without a signature (a test
    sent to staff at `to`, in `language`), the links are ones that do nothing."""
    language = signature.email_language if signature else language
    with translation.override(language or settings.LANGUAGE_CODE):
        token = tokens.unsubscribe_token(signature) if signature else "test-email"
        unsubscribe_url = absolute_reverse("updates:unsubscribe", args=[token])
        withdrawal = tokens.withdrawal_token(signature) if signature else "test-email"
        context = {
            "update": update,
            "campaign": update.campaign,
            "body": update.local_body.replace("\r\n", "\n").strip(),
            "letter_url": absolute_url(update.campaign.page_url()),
            "unsubscribe_url": unsubscribe_url,
            "withdraw_url": absolute_reverse("pledges:withdraw", args=[withdrawal]),
            "privacy_url": absolute_reverse("pledges:privacy"),
        }
        return automated_email(
            " ".join(update.local_subject.split()),
            "pledges/updates/email_body",
            context,
            to=signature.email if signature else to,
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            kind=EmailKind.UPDATE,
            letter=update.campaign_id,
        )

"""What the browser that signed keeps of its signature, for the thanks page.

The thanks page shows the address the email went to and offers to send it
again. Neither may go in a URL (it is logged, kept in the history, sent on
in Referer headers), and the signing form keeps no session (its page is the
same for everyone, see SignatureForm.started_token). So the answer to a
signature carries it in a cookie of its own: signed (nobody can make it
name another letter or other details), HttpOnly, sent back only to this
site, for RECEIPT_SECONDS; the only page that reads it is never kept by a
cache. The logs redact its value by shape (timesup/infrastructure/logs.py).
"""

from django.conf import settings
from django.core import signing

COOKIE_NAME = "__Host-signed" if settings.HTTPS else "signed"
RECEIPT_SECONDS = 60 * 60
_SALT = "pledges.receipt"


def keep_receipt(response, campaign, details):
    """Have the browser keep, with `response`, what it signed of `campaign` with."""
    value = signing.dumps({"campaign": campaign.pk, "details": details}, salt=_SALT, compress=True)
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=RECEIPT_SECONDS,
        path="/",
        secure=settings.HTTPS,
        httponly=True,
        samesite="Lax",
    )


def receipt_for(request, campaign):
    """The details this browser signed `campaign` with in the last RECEIPT_SECONDS, or None."""
    try:
        receipt = signing.loads(
            request.COOKIES.get(COOKIE_NAME, ""), salt=_SALT, max_age=RECEIPT_SECONDS
        )
    except signing.BadSignature:
        return None
    if not isinstance(receipt, dict) or receipt.get("campaign") != campaign.pk:
        return None
    return receipt.get("details")

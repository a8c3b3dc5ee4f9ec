"""Mail sent through the site's own SMTP server, DKIM-signed (RFC 6376).

Large mailbox providers accept bulk mail only when it is authenticated:
SPF, DKIM and DMARC with a From aligned on the signing domain
(docs/deploy.md, "Email that arrives"). An email service (Postmark, SES…)
signs for the site; an SMTP server of one's own may not. With DKIM_DOMAIN,
DKIM_SELECTOR and DKIM_PRIVATE_KEY_PATH set, settings.py puts this backend in
the place of Django's SMTP backend: each message is signed, as the very bytes
sent, with dkimpy (a maintained signer), then handed to the SMTP server.

Signed over the bytes the server receives, not the message object: Django
makes a new Date and multipart boundary each time it writes a message, so a
signature over an earlier rendering would not verify.
"""

import smtplib
import threading
from email.utils import parseaddr
from functools import cached_property

import dkim
from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

# The headers each signature covers: those a receiver shows, or acts on.
SIGNED_HEADERS = [
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"mime-version",
    b"content-type",
    b"auto-submitted",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
]
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class DKIMSigningBackend(SMTPBackend):
    """Django's SMTP backend, with each message DKIM-signed as it is sent."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sending = threading.Lock()  # one connection: one message at a time

    @cached_property
    def private_key(self):
        with open(settings.DKIM_PRIVATE_KEY_PATH, "rb") as key:
            return key.read()

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        with self._sending:
            new_connection = self.open()
            if not self.connection or new_connection is None:
                return 0
            try:
                return sum(1 for message in email_messages if self.send_signed(message))
            finally:
                if new_connection:
                    self.close()

    def send_signed(self, email_message):
        recipients = email_message.recipients()
        if not recipients:
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        data = email_message.message().as_bytes(linesep="\r\n")
        try:
            self.connection.sendmail(
                sanitize_address(email_message.from_email, encoding),
                [sanitize_address(address, encoding) for address in recipients],
                self.signature(data) + data,
            )
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True

    def signature(self, data):
        """The DKIM-Signature header line for the message `data`."""
        return dkim.sign(
            data,
            settings.DKIM_SELECTOR.encode(),
            settings.DKIM_DOMAIN.encode(),
            self.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=SIGNED_HEADERS,
        )


@register("email", deploy=True)
def mail_is_authenticated(app_configs, **kwargs):
    """Production mail through plain SMTP that nobody DKIM-signs lands in spam
    folders, or nowhere: and a confirmation email that does not arrive is a
    signature that never counts."""
    if settings.EMAIL_BACKEND != SMTP_BACKEND or settings.EMAIL_PROVIDER_SIGNS_DKIM:
        return []
    return [
        Warning(
            "Email goes out through plain SMTP and nothing DKIM-signs it.",
            hint=(
                "Set DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_PATH to sign it here, "
                "or EMAIL_PROVIDER_SIGNS_DKIM=true if your SMTP provider signs it for your "
                "domain; publish SPF, DKIM and DMARC records (docs/deploy.md, "
                "'Email that arrives')."
            ),
            id="timesup.W002",
        )
    ]


@register("email")
def dkim_signs_as_the_sender(app_configs, **kwargs):
    """A signing backend whose key cannot be read would fail every email, and a
    signature on another domain than the From's passes DKIM but not DMARC."""
    if not settings.DKIM_PRIVATE_KEY_PATH:
        return []
    try:
        with open(settings.DKIM_PRIVATE_KEY_PATH, "rb"):
            pass
    except OSError as error:
        return [
            Error(
                f"DKIM_PRIVATE_KEY_PATH cannot be read: {error.strerror}.",
                hint="Point it at the PEM file of the DKIM private key (never in the repository).",
                id="timesup.E003",
            )
        ]
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2].lower()
    domain = settings.DKIM_DOMAIN.lower()
    if sender != domain and not sender.endswith("." + domain):
        return [
            Warning(
                f"DKIM_DOMAIN ({domain}) is not the domain of DEFAULT_FROM_EMAIL ({sender}).",
                hint="DMARC passes only when the signing domain is the From address's own "
                "(or its parent): sign with the From's domain.",
                id="timesup.W003",
            )
        ]
    return []

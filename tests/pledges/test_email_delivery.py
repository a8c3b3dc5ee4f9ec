"""The worker delivers the emails signers are owed through a real SMTP
server (aiosmtpd): each once, a batch over EMAIL_CONNECTIONS connections."""

import pytest
from django.urls import reverse

from tests.factories import make_featured_campaign, signing_form


@pytest.fixture
def through_smtp(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.SIGNING_RATE_LIMIT = 1000
    settings.EMAIL_CONNECTIONS = 3


def test_a_batch_of_confirmation_emails_goes_over_email_connections_each_once(
    client, through_smtp, smtp_server, deliver_emails
):
    make_featured_campaign()
    for n in range(12):
        client.post(reverse("pledges:sign"), signing_form(email=f"batch{n}@example.org"))

    deliver_emails()

    recipients = sorted(
        line.split(b": ", 1)[1].decode()
        for message in smtp_server.messages
        for line in message.split(b"\r\n")
        if line.startswith(b"To: ")
    )
    assert recipients == sorted(f"batch{n}@example.org" for n in range(12))
    # Three connections at once, each carrying its share: not one per email.
    assert smtp_server.connections == 3

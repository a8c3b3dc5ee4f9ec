"""Mail sent through the site's own SMTP server is DKIM-signed, as delivered:
a real SMTP server (aiosmtpd) receives it, and the signature verifies
against the public key an operator publishes in DNS (docs/deploy.md)."""

import base64
import subprocess

import dkim
import pytest
from django.core.checks import run_checks
from django.core.mail import get_connection

from pledges.mail import automated_email
from tests.conftest import required_program


@pytest.fixture
def dkim_key(tmp_path):
    """A key pair as docs/deploy.md has the operator make it: (private key
    path, the p= value of the DNS record)."""
    openssl = required_program("openssl")
    private = tmp_path / "dkim.pem"
    subprocess.run(
        [openssl, "genrsa", "-out", str(private), "2048"], check=True, capture_output=True
    )
    public = subprocess.run(
        [openssl, "rsa", "-in", str(private), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    return private, base64.b64encode(public)


@pytest.fixture
def signing(settings, smtp_server, dkim_key):
    settings.EMAIL_BACKEND = "timesup.infrastructure.signed_mail.DKIMSigningBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.DKIM_DOMAIN, settings.DKIM_SELECTOR = "timesup.example.org", "letter2026"
    settings.DKIM_PRIVATE_KEY_PATH = str(dkim_key[0])
    settings.DEFAULT_FROM_EMAIL = "Time's Up <letter@timesup.example.org>"


def published(key):
    """DNS as the receiving server sees it: the selector's TXT record."""

    def lookup(name, timeout=5):
        assert name == b"letter2026._domainkey.timesup.example.org."
        return b"v=DKIM1; k=rsa; p=" + key

    return lookup


def an_email():
    return automated_email(
        "Confirm your signature of “Time's Up”",
        "pledges/email/confirm_body",
        {
            "campaign": {"local_title": "Time's Up"},
            "confirm_url": "https://testserver/en/sign/confirm/x/",
            "withdraw_url": "https://testserver/en/sign/withdraw/x/",
            "privacy_url": "https://testserver/en/privacy/",
        },
        to="ana@example.org",
    )


def test_mail_through_the_sites_own_smtp_server_arrives_signed(signing, smtp_server, dkim_key, db):
    assert an_email().send() == 1

    (received,) = smtp_server.messages
    signature = received.split(b"\r\n\r\n", 1)[0].split(b"\r\n", 1)[0]
    assert signature.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;")
    assert b"d=timesup.example.org;" in received.split(b"\r\nContent-Type", 1)[0]
    assert dkim.verify(received, dnsfunc=published(dkim_key[1]))


def test_the_signature_covers_what_a_receiver_shows(signing, smtp_server, dkim_key, db):
    an_email().send()
    received = smtp_server.messages[0]

    changed = received.replace(b"To: ana@example.org", b"To: eve@example.org", 1)
    assert changed != received
    assert not dkim.verify(changed, dnsfunc=published(dkim_key[1]))
    assert not dkim.verify(received.replace(b"Hello,", b"Hi,", 1), dnsfunc=published(dkim_key[1]))


def test_one_connection_sends_many_messages_each_signed(signing, smtp_server, dkim_key, db):
    with get_connection() as connection:
        assert connection.send_messages([an_email() for _ in range(3)]) == 3

    assert len(smtp_server.messages) == 3
    assert all(dkim.verify(m, dnsfunc=published(dkim_key[1])) for m in smtp_server.messages)


def warnings_and_errors():
    return {message.id for message in run_checks(include_deployment_checks=True)}


def test_check_deploy_asks_for_dkim_when_plain_smtp_signs_nothing(settings, db):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.DKIM_PRIVATE_KEY_PATH = ""

    assert "timesup.W002" in warnings_and_errors()

    settings.EMAIL_PROVIDER_SIGNS_DKIM = True
    assert "timesup.W002" not in warnings_and_errors()


def test_check_is_quiet_when_the_site_signs(signing, db):
    assert not {"timesup.W002", "timesup.W003", "timesup.E003"} & warnings_and_errors()


def test_check_says_when_the_key_cannot_be_read_or_the_domain_is_not_the_senders(
    signing, settings, db
):
    settings.DEFAULT_FROM_EMAIL = "Time's Up <letter@elsewhere.example>"
    assert "timesup.W003" in warnings_and_errors()

    settings.DKIM_PRIVATE_KEY_PATH = "/nonexistent/dkim.pem"
    assert "timesup.E003" in warnings_and_errors()

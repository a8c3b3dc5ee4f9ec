"""What the logs may hold: no link token that acts on a signature, no client address."""

import io
import json
import logging

import pytest
from django.urls import reverse

from pledges import tokens
from tests.conftest import HttpsClient
from tests.factories import make_signature
from timesup.infrastructure.logs import RedactSecrets, network_of, redact

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_log():
    """What the site's log handler (settings.LOGGING's "stdout") writes, as a string."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    handler = next(h for h in handlers if any(isinstance(f, RedactSecrets) for f in h.filters))
    written = io.StringIO()
    saved = handler.setStream(written)
    yield written
    handler.setStream(saved)


def test_every_handler_of_the_site_log_redacts_secrets():
    loggers = [logging.getLogger(), *map(logging.getLogger, logging.root.manager.loggerDict)]
    handlers = {handler for logger in loggers for handler in logger.handlers}
    pytest_capture = {"LogCaptureHandler", "_LiveLoggingNullHandler", "_FileHandler"}
    # A NullHandler writes nothing anywhere (libraries add one, aiosmtpd's
    # in the tests of delivery): nothing of it to redact.
    ours = [
        h
        for h in handlers
        if type(h).__name__ not in pytest_capture and type(h) is not logging.NullHandler
    ]

    assert ours
    for handler in ours:
        assert any(isinstance(f, RedactSecrets) for f in handler.filters), handler


def test_refused_link_requests_log_no_token(campaign, site_log):
    signature = make_signature(campaign)
    withdraw = tokens.withdrawal_token(signature)
    confirm = tokens.confirmation_token(signature)
    # As a browser without the CSRF cookie, or a scanner posting without Referer.
    strict = HttpsClient(enforce_csrf_checks=True)

    assert strict.post(reverse("pledges:withdraw", args=[withdraw])).status_code == 403
    assert strict.post(reverse("pledges:confirm", args=[confirm])).status_code == 403
    assert HttpsClient().put(reverse("pledges:confirm", args=[confirm])).status_code == 405

    log = site_log.getvalue()
    assert "Forbidden" in log and "Method Not Allowed" in log  # the lines are there
    assert "/sign/withdraw/…" in log
    assert withdraw not in log and confirm not in log
    assert withdraw.split(":")[-1] not in log


def test_a_refused_unsubscribe_request_logs_no_token(campaign, site_log):
    signature = make_signature(campaign, wants_updates=True)
    unsubscribe = tokens.unsubscribe_token(signature)

    assert HttpsClient().put(reverse("updates:unsubscribe", args=[unsubscribe])).status_code == 405

    log = site_log.getvalue()
    assert "/updates/stop/…" in log
    assert unsubscribe not in log and unsubscribe.split(":")[-1] not in log


def test_a_refused_choices_request_logs_no_token(campaign, site_log):
    signature = make_signature(campaign)
    choices = tokens.choices_token(signature)

    assert HttpsClient().put(reverse("pledges:choices", args=[choices])).status_code == 405

    log = site_log.getvalue()
    assert "/sign/choices/…" in log
    assert choices not in log and choices.split(":")[-1] not in log


def test_a_json_log_line_holds_no_token_either(campaign):
    token = tokens.confirmation_token(make_signature(campaign))
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Forbidden: %s",
        (f"/en/sign/confirm/{token}/",),
        None,
    )
    record.request = HttpsClient().get("/healthz").wsgi_request
    record.request.path = f"/en/sign/confirm/{token}/"

    RedactSecrets().filter(record)

    assert record.getMessage() == "Forbidden: /en/sign/confirm/…/"
    assert json.loads(json.dumps(record.request)) == "GET /en/sign/confirm/…/"


def test_any_signed_value_is_cut_out_whatever_its_path_and_times_and_addresses_stay(campaign):
    token = tokens.withdrawal_token(make_signature(campaign))
    line = f"13:45:12 GET /a/future/link/{token}?x=1 from 2001:db8:1:2::7"

    assert redact(line) == "13:45:12 GET /a/future/link/…?x=1 from 2001:db8:1:2::7"


def test_head_on_a_withdrawal_link_answers_like_get_and_withdraws_nothing(client, campaign):
    signature = make_signature(campaign)
    url = reverse("pledges:withdraw", args=[tokens.withdrawal_token(signature)])

    head, get = client.head(url), client.get(url)

    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]
    assert head.content == b""
    signature.refresh_from_db()  # still there


@pytest.mark.parametrize(
    "address, network",
    [
        ("203.0.113.77", "203.0.113.0"),
        ("2001:db8:1:2::7", "2001:db8:1::"),
        ("::ffff:198.51.100.9", "198.51.100.0"),
        ("not an address", "-"),
    ],
)
def test_logs_keep_a_clients_network_not_its_address(address, network):
    assert network_of(address) == network

"""No answer of the signing form tells whether an address has signed: not the
thanks, not a refusal at the limit, not the time it takes."""

import re
import statistics
import time

import pytest
from django.urls import reverse

from pledges import tokens
from pledges.models import Signature
from tests.conftest import confirm_as_shown
from tests.factories import signing_form

SIGN = reverse("pledges:sign")
# Headers that tell the time, not who signed: compared on their own (see below).
CLOCK_HEADERS = {"Expires", "Retry-After"}
# Of one length, so that the echo of what was typed makes every page as long.
NEW, UNCONFIRMED, CONFIRMED = "new-one@example.org", "waiting@example.org", "confirm@example.org"


@pytest.fixture
def signers(client, campaign, deliver_emails, settings):
    """An unconfirmed and a confirmed signer, made as signing makes them: through
    the form, with their email sent by the worker (so emails_sent is 1)."""
    for email in (UNCONFIRMED, CONFIRMED):
        assert client.post(SIGN, signing_form(email=email)).status_code == 302
    deliver_emails()
    confirmed = Signature.objects.get(email=CONFIRMED)
    confirm_as_shown(
        client, reverse("pledges:confirm", args=[tokens.confirmation_token(confirmed)])
    )
    assert Signature.objects.get(email=CONFIRMED).is_confirmed
    assert list(Signature.objects.values_list("emails_sent", flat=True)) == [1, 1]


def answer(client, email, address="203.0.113.50"):
    response = client.post(SIGN, signing_form(email=email), REMOTE_ADDR=address)
    body = response.content.decode().replace(email, "EMAIL")
    body = re.sub(r'name="started" value="[^"]+"', 'name="started" value="TOKEN"', body)
    headers = {k: v for k, v in response.items() if k not in CLOCK_HEADERS}
    # django-csp writes the same policy's directives in varying order.
    headers["Content-Security-Policy"] = sorted(headers["Content-Security-Policy"].split("; "))
    return response.status_code, headers, body


def test_under_the_limit_every_address_gets_the_same_answer(client, signers):
    answers = [answer(client, email) for email in (NEW, UNCONFIRMED, CONFIRMED)]

    assert answers[0][0] == 302
    assert answers[0] == answers[1] == answers[2]


def test_at_the_limit_every_address_gets_the_same_refusal(client, signers, settings):
    settings.SIGNING_RATE_LIMIT = 3
    for n in range(3):
        client.post(
            SIGN,
            signing_form(email=f"filler{n}@example.org"),
            REMOTE_ADDR="203.0.113.50",
        )

    answers, retry_afters = [], []
    for email in (NEW, UNCONFIRMED, CONFIRMED):
        answers.append(answer(client, email))
        retry_afters.append(
            int(
                client.post(SIGN, signing_form(email=email), REMOTE_ADDR="203.0.113.50")[
                    "Retry-After"
                ]
            )
        )

    assert answers[0][0] == 429
    assert answers[0] == answers[1] == answers[2]
    assert max(retry_afters) - min(retry_afters) <= 1  # the same hour ends for everyone
    assert not Signature.objects.filter(email=NEW).exists()


def test_the_time_an_answer_takes_tells_nothing_usable_about_the_address(client, signers):
    # The same statements run for every address (one upsert, one queued email);
    # the medians of many interleaved tries stay within noise of each other.
    times = {NEW: [], UNCONFIRMED: [], CONFIRMED: []}
    for n in range(40):
        for email in times:
            address = email if email != NEW else f"new{n}@example.org"
            started = time.perf_counter()
            client.post(SIGN, signing_form(email=address), REMOTE_ADDR=f"203.0.113.{n}")
            times[email].append(time.perf_counter() - started)
    medians = {email: statistics.median(samples) for email, samples in times.items()}

    fastest, slowest = min(medians.values()), max(medians.values())
    assert slowest - fastest < max(0.25 * fastest, 0.001), medians

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import signing_form


@pytest.fixture
def deliver_emails(transactional_db):
    """Run the task worker as production does, `manage.py db_worker`, until the
    queue is empty. The test's writes must be committed (hence transactional_db),
    as they are in production, for the tasks queued on commit to exist."""

    def deliver():
        # verbosity 2: the worker logs each task at DEBUG level (and its
        # logger's level outlives the call), so tests can read its logs.
        call_command(
            "db_worker", batch=True, startup_delay=False, verbosity=2, stdout=io.StringIO()
        )

    return deliver


def sign_and_get_email(client, mailoutbox, deliver, **fields):
    """Send the signing form (`fields` over a valid one), run the worker: the email."""
    client.post(reverse("pledges:sign"), signing_form(**fields))
    deliver()
    return mailoutbox[-1]


def link_in(message, name):
    """The absolute URL of /sign/<name>/… in an email's body."""
    match = re.search(rf"https?://\S+/sign/{name}/\S+/", message.body)
    assert match, f"no {name} link in:\n{message.body}"
    return match.group(0)


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)

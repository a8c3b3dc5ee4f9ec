"""A signer of a second letter asks for updates, gets one, and stops them in one click."""

import os
import re
import subprocess
import sys

from django.utils import timezone
from playwright.sync_api import expect

from campaign.models import Campaign
from campaign.seed import TIMES_UP
from pledges.models import Signature, Update
from pledges.updates import services
from tests.browser.test_signing_journeys import confirmation_link_sent_to
from tests.conftest import ROOT, _test_database_url


def email_to(address, live_site, containing):
    """The text of the email to `address` that contains `containing`, as the worker wrote it."""
    for message in live_site.mail_dir.glob("*.log"):
        text = message.read_text()
        if f"To: {address}" in text and containing in text:
            return text
    raise AssertionError(f"no email to {address} with {containing!r} in {live_site.mail_dir}")


def test_a_signer_of_a_second_letter_gets_an_update_and_stops_them_in_one_click(phone, live_site):
    Campaign.objects.create(**TIMES_UP, published_at=timezone.now())
    farmworkers = Campaign.objects.create(
        title="Alianza Nacional de Campesinas",
        slug="farmworkers",
        statement="700,000 women farmworkers stand with the women of Hollywood.",
        letter_text="We stand with you.",
        hashtag="#TIMESUP",
        published_at=timezone.now(),
    )

    phone.goto("/en/letters/")
    phone.get_by_role("link", name="Alianza Nacional de Campesinas").click()
    expect(phone).to_have_url(re.compile(r"/en/letters/farmworkers/$"))
    phone.get_by_label("Your name").fill("Rosa Campos")
    phone.get_by_label("Your email address").fill("rosa@example.org")
    phone.get_by_label("Country").select_option("US")
    phone.get_by_label("Where you work").select_option("agriculture")
    updates_box = phone.get_by_label("Email me updates about this campaign")
    expect(updates_box).not_to_be_checked()
    updates_box.check()
    phone.get_by_role("button", name="Sign the letter").click()
    expect(phone).to_have_url(re.compile(r"/en/letters/farmworkers/sign/thanks/$"))

    phone.goto(confirmation_link_sent_to("rosa@example.org", live_site))
    phone.get_by_role("button", name="Confirm my signature").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your signature is confirmed")
    signature = Signature.objects.get()
    assert signature.campaign == farmworkers and signature.wants_updates

    # Staff send an update; the task worker, as operators run it, sends it.
    update = Update.objects.create(
        campaign=farmworkers, subject="We delivered the letter", body="Thank you, all of you."
    )
    assert services.start_sending_update(update)
    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        # As the live site's gunicorn runs: the same database, keys and mail folder.
        env={
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "EMAIL_URL": f"filemail:///{live_site.mail_dir}",
            "SITE_URL": live_site.base_url,
            "HTTPS": "false",
        },
        capture_output=True,
        text=True,
    )
    assert worker.returncode == 0, worker.stderr
    email = email_to("rosa@example.org", live_site, "We delivered the letter")
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in email
    unsubscribe = re.search(r"http://\S+/en/updates/stop/\S+/", email).group(0)
    assert re.search(rf"List-Unsubscribe:\s+<{re.escape(unsubscribe)}>", email)  # may be folded

    phone.goto(unsubscribe)
    phone.get_by_role("button", name="Stop sending me updates").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("You will get no more updates")

    signature.refresh_from_db()
    assert not signature.wants_updates
    assert signature.counts  # the signature stays
    update.refresh_from_db()
    assert (update.state, update.sent_count) == (Update.State.SENT, 1)

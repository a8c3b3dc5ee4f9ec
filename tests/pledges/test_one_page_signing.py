"""From a shared link to a counted signature on one page (issue 22): the form
on the letter's page, the thanks page that says what is left to do, the
confirmation page as the one button, and nothing on the way that isn't true."""

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from campaign.models import Campaign
from pledges import tokens
from pledges.forms import SignatureForm
from pledges.models import Industry, Signature
from pledges.statistics import signed_last_day
from tests.conftest import HttpsClient, confirm_as_shown
from tests.factories import make_signature, signing_form
from tests.pledges.conftest import link_in

HOME = reverse("campaign:home")
SIGN = reverse("pledges:sign")
THANKS = reverse("pledges:thanks")
SIGNING_FIELDS = {"name", "email", "country", "industry", "comment", "show_name", "wants_updates"}


def the_form(page):
    start = page.index('<form method="post"')
    return page[start : page.index("</form>", start)]


# One page to sign ------------------------------------------------------------


def test_the_letters_page_carries_the_whole_signing_form(client, campaign):
    window_before = SignatureForm.started_token()
    page = client.get(HOME).content.decode()
    window_after = SignatureForm.started_token()
    form = the_form(page)

    assert f'action="{SIGN}"' in form
    assert SIGNING_FIELDS | {"started", "website"} <= set(re.findall(r'name="(\w+)"', form))
    started = re.search(r'name="started" value="([^"]+)"', form).group(1)
    # The time window's token, not the visitor's: the same page for everyone.
    assert started in (window_before, window_after)


def test_a_signature_sent_from_the_letters_page_is_stored(client, campaign):
    response = client.post(SIGN, signing_form(email="ana@example.org"), HTTP_REFERER=HOME)

    assert response.status_code == 302
    assert Signature.objects.get().email == "ana@example.org"


def test_where_one_works_is_preselected_as_prefer_not_to_say(client, campaign):
    form = the_form(client.get(HOME).content.decode())

    assert '<option value="undisclosed" selected>Prefer not to say</option>' in form
    assert 'name="country" required' in form or 'required id="id_country"' in form
    assert 'name="industry" required' not in form


def test_a_signer_who_prefers_not_to_say_where_she_works_is_counted_as_such(client, campaign):
    fields = signing_form(email="ana@example.org")
    del fields["industry"]  # left as it came, or sent by a form without it

    client.post(SIGN, fields)
    signature = Signature.objects.get()
    confirm_as_shown(
        client, reverse("pledges:confirm", args=[tokens.confirmation_token(signature)])
    )

    assert Signature.objects.get().industry == Industry.UNDISCLOSED
    stats = client.get(reverse("pledges:stats")).content.decode()
    assert re.search(r"<th scope=\"row\">Prefer not to say</th><td class=\"number\">1</td>", stats)
    wall = client.get(reverse("pledges:wall")).content.decode()
    assert "Prefer not to say" not in wall  # nothing to show of it on the wall


# The thanks page -------------------------------------------------------------


def test_the_thanks_page_says_the_signature_does_not_count_yet_and_where_the_email_went(
    client, campaign
):
    response = client.post(SIGN, signing_form(email="ana.perez@gmail.com"))
    page = client.get(response["Location"])
    html = page.content.decode()

    assert "ana.perez" not in response["Location"]  # never in a URL
    assert "<h1>Your signature does not count yet: confirm it from your email</h1>" in html
    assert '<strong class="sent-to">ana.perez@gmail.com</strong>' in html
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    # A plain link to the inbox: nothing asked of Google until it is tapped.
    assert '<a class="button open-inbox" href="https://mail.google.com/"' in html
    assert "Wrong address? Sign again" in html
    assert f'href="{HOME}#sign"' in html


def test_another_browser_sees_no_address_on_the_thanks_page(client, campaign):
    from tests.conftest import HttpsClient

    client.post(SIGN, signing_form(email="ana@example.org"))
    page = HttpsClient().get(THANKS).content.decode()

    assert "ana@example.org" not in page
    assert "Send it again" not in page
    assert "Your signature does not count yet" in page


def test_no_inbox_link_for_an_address_at_an_unknown_provider(client, campaign):
    client.post(SIGN, signing_form(email="ana@example.org"))

    html = client.get(THANKS).content.decode()

    assert "ana@example.org" in html
    assert "mail.google.com" not in html
    assert "open-inbox" not in html


def test_send_it_again_sends_the_email_again_with_signings_answer(
    client, campaign, mailoutbox, deliver_emails
):
    client.post(SIGN, signing_form(email="ana@example.org"))
    deliver_emails()

    again = client.post(THANKS)
    deliver_emails()

    assert (again.status_code, again["Location"]) == (302, f"{THANKS}?sent=again")
    assert [m.to for m in mailoutbox] == [["ana@example.org"], ["ana@example.org"]]
    link_in(mailoutbox[-1], "confirm")
    assert "We have sent it again." in client.get(again["Location"]).content.decode()
    assert Signature.objects.count() == 1


def test_send_it_again_keeps_signings_limits(client, campaign, settings):
    settings.SIGNING_RATE_LIMIT = 1
    client.post(SIGN, signing_form(email="ana@example.org"))

    response = client.post(THANKS)

    assert response.status_code == 429
    assert "we have not sent it again" in response.content.decode()
    assert "Retry-After" in response


def test_send_it_again_from_another_site_is_refused(campaign):
    browser = HttpsClient(enforce_csrf_checks=True)
    browser.post(
        SIGN, signing_form(email="ana@example.org"), headers={"Sec-Fetch-Site": "same-origin"}
    )

    response = browser.post(THANKS, headers={"Sec-Fetch-Site": "cross-site"})

    assert response.status_code == 403
    assert Signature.objects.get().submissions.count() == 1  # nothing stored again


def test_send_it_again_without_having_signed_leads_to_the_form(client, campaign):
    response = client.post(THANKS)

    assert (response.status_code, response["Location"]) == (302, f"{HOME}#sign")
    assert not Signature.objects.exists()


# The confirmation page, and where sharing fits ----------------------------------


def test_the_confirmation_page_is_the_one_button_below_what_will_be_published(client, campaign):
    signature = make_signature(campaign, confirmed_at=None)

    page = client.get(reverse("pledges:confirm", args=[tokens.confirmation_token(signature)]))
    html = page.content.decode()
    main = html[html.index('<main id="main"') :]

    assert main.index('class="to-publish"') < main.index("Confirm my signature</button>")
    assert 'id="share-heading"' not in html
    assert f'href="{HOME}#sign"' not in html  # no "Sign" in the header


def test_a_closed_letters_confirmation_page_is_still_the_one_button(client, campaign):
    signature = make_signature(campaign, confirmed_at=None)
    Campaign.objects.filter(pk=campaign.pk).close_signing()

    page = client.get(reverse("pledges:confirm", args=[tokens.confirmation_token(signature)]))

    assert page.status_code == 200  # within the grace hours after closing
    assert 'id="share-heading"' not in page.content.decode()


@pytest.mark.parametrize("page", ["withdraw", "unsubscribe"])
def test_pages_of_leaving_ask_nobody_to_share(client, campaign, page):
    signature = make_signature(campaign, wants_updates=True)
    token = {"withdraw": tokens.withdrawal_token, "unsubscribe": tokens.unsubscribe_token}[page]
    url = reverse(
        f"pledges:{page}" if page == "withdraw" else "updates:unsubscribe", args=[token(signature)]
    )

    assert 'id="share-heading"' not in client.get(url).content.decode()
    assert 'id="share-heading"' not in client.post(url).content.decode()


# Truths ----------------------------------------------------------------------


def test_the_founding_signers_are_dated_when_they_signed_not_the_day_of_the_install(client, db):
    call_command("load_default_campaign", stdout=io.StringIO())
    campaign = Campaign.objects.get()
    founders = Signature.objects.filter(is_founding_signer=True)

    assert founders.exists()
    assert {s.created_at.date() for s in founders} == {date(2018, 1, 1)}
    assert {s.confirmed_at.date() for s in founders} == {date(2018, 1, 1)}
    assert signed_last_day(campaign) == 0
    assert (
        client.get(reverse("partners:api-campaign", args=[campaign.slug])).json()[
            "signatures_last_24_hours"
        ]
        == 0
    )
    wall = client.get(reverse("pledges:wall")).content.decode()
    assert "1 January 2018" in wall
    today = timezone.localdate()
    assert f"{today.day} {today:%B} {today.year}" not in wall  # nobody signed "today"
    stats = client.get(reverse("pledges:stats")).content.decode()
    # The days before the site's first as one bar, then the site's days.
    days_chart = stats[
        stats.index('id="days-chart-title"') : stats.index(
            "</svg>", stats.index('id="days-chart-title"')
        )
    ]
    assert days_chart.count('<rect class="bar"') == 2
    assert "1 January 2018: " in days_chart


def test_statistics_show_dates_as_the_wall_does(client, campaign):
    make_signature(campaign, confirmed_at=timezone.now(), created_at=timezone.now())

    stats = client.get(reverse("pledges:stats")).content.decode()

    today = timezone.localdate()
    assert f"{today.day} {today:%B} {today.year}" in stats
    assert today.isoformat() not in stats.replace(f'datetime="{today.isoformat()}"', "")


# The site's own words ----------------------------------------------------------


def test_a_form_sent_too_fast_says_what_to_do_and_marks_no_field(client, campaign, settings):
    # Longer than any page-cache window: a form made now is surely too fast.
    settings.SIGNING_MIN_FILL_SECONDS = 60
    response = client.post(SIGN, signing_form(started=SignatureForm.started_token()))
    html = response.content.decode()

    assert "Please check your details and press “Sign the letter” again." in html
    assert 'aria-invalid="true"' not in html


def test_a_fields_message_is_said_once_beside_it(client, campaign):
    response = client.post(SIGN, signing_form(email="not-an-email"))
    html = response.content.decode()

    assert html.count("Enter your email address as name@example.org.") == 1
    assert '<a href="#id_email">Your email address</a>' in html  # the summary points to it


def test_the_privacy_notice_names_who_runs_the_site_and_the_legal_basis(client, campaign, settings):
    settings.SITE_OPERATOR = "Example Campaign Ltd, 1 Example Street, London"
    settings.SITE_OPERATOR_CONTACT = "privacy@example.org"

    html = client.get(reverse("pledges:privacy")).content.decode()

    assert "This site is run by Example Campaign Ltd, 1 Example Street, London" in html
    assert "write to privacy@example.org" in html
    assert "Your consent, which you give as you confirm your signature" in html


def test_without_an_operator_the_privacy_notice_says_so_and_a_check_warns(
    client, campaign, settings
):
    from django.core.checks import run_checks

    settings.SITE_OPERATOR, settings.SITE_OPERATOR_CONTACT = "", ""
    settings.DEFAULT_FROM_EMAIL = "Time's Up <letter@timesup.example.org>"

    html = client.get(reverse("pledges:privacy")).content.decode()

    assert "have not yet written their name here" in html
    assert "write to letter@timesup.example.org" in html
    assert "timesup.W001" in [message.id for message in run_checks(include_deployment_checks=True)]

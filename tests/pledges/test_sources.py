"""Organisers see where signers come from and how many confirm, per letter,
source and day, and nobody is tracked: a `?source=` code goes from the link
to the page, its form and the signature, and is kept as a count."""

import csv
import io
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaign.models import SourceCode
from pledges.models import Signature, SourceTally
from tests.conftest import HttpsClient, confirm_as_shown
from tests.factories import make_signature, signing_form
from tests.pledges.conftest import link_in, path_of

FIGURES = reverse("admin:pledges_sourcetally_changelist")


@pytest.fixture
def signing_freely(settings):
    settings.SIGNING_RATE_LIMIT = 1000


def hidden_source(page):
    """The source code the page's form sends with the signature ("" for none)."""
    fields = re.findall(r'<input type="hidden" name="source"[^>]*>', page)
    assert len(fields) <= 1, fields  # one value, never two
    return re.search(r'value="([^"]*)"', fields[0]).group(1) if fields else ""


def whatsapp_link(page):
    """The address the page's WhatsApp button shares."""
    href = re.search(r'href="(https://wa\.me/[^"]+)"', page).group(1).replace("&amp;", "&")
    text = parse_qs(urlparse(href).query)["text"][0]
    return re.search(r"https://testserver\S+", text).group(0)


class Visitor:
    """One person with a browser: opens a link, signs on the page it opens,
    and, if she does, confirms from her email."""

    def __init__(self, mailoutbox, deliver):
        self.client = HttpsClient()
        self.mailoutbox = mailoutbox
        self.deliver = deliver

    def open(self, path):
        return self.client.get(path).content.decode()

    def sign_from(self, path, email):
        page = self.open(path)
        self.client.post(
            reverse("pledges:sign"), signing_form(email=email, source=hidden_source(page))
        )
        self.deliver()
        return next(m for m in reversed(self.mailoutbox) if m.to == [email])

    def confirm(self, message):
        return confirm_as_shown(self.client, path_of(link_in(message, "confirm")))


def figures_table(admin_client, table="per-source", **query):
    """{source: (signatures, confirmed, rate)} of the admin's table."""
    page = admin_client.get(FIGURES, query).content.decode()
    body = page[page.index(f'id="{table}"') :]
    body = body[: body.index("</table>")]
    rows = {}
    for source, cells in re.findall(r'<tr data-source="([^"]*)"[^>]*>(.*?)</tr>', body, re.S):
        numbers = re.findall(r'<td class="number[^"]*">([^<]*)</td>', cells)
        rows[source] = tuple(numbers)
    return rows


def chart_values(admin_client, chart="source-chart", **query):
    """{label: "signatures · rate"} as the admin's chart draws them."""
    page = admin_client.get(FIGURES, query).content.decode()
    svg = page[page.index(f'id="{chart}"') :]
    svg = svg[: svg.index("</svg>")]
    labels = re.findall(r'<text x="0" y="[^"]+">([^<]*)</text>', svg)
    values = re.findall(r'<text class="value"[^>]*>([^<]*)</text>', svg)
    return dict(zip(labels, values, strict=True))


def test_a_scripted_mix_of_sources_shows_exact_counts_and_rates_after_the_hourly_purge(
    campaign, mailoutbox, deliver_emails, signing_freely, settings, admin_user
):
    SourceCode.objects.create(code="partner-news", description="The partners' newsletter")
    visit = lambda: Visitor(mailoutbox, deliver_emails)  # noqa: E731 - a new person each time

    # WhatsApp: three sign, two confirm.
    for n in range(3):
        person = visit()
        email = person.sign_from("/en/?source=whatsapp", f"whatsapp{n}@example.org")
        if n < 2:
            person.confirm(email)
    # The partner's newsletter: two sign (one through a re-share, below), both confirm.
    newsletter_reader = visit()
    newsletter_reader.confirm(
        newsletter_reader.sign_from(
            "/en/?source=partner-news&utm_medium=email", "reader@example.org"
        )
    )
    # She shares the page on WhatsApp: the link keeps the newsletter as its origin...
    shared = whatsapp_link(newsletter_reader.open("/en/?source=partner-news"))
    assert shared == "https://testserver/en/?source=partner-news"
    # ...and so does the page her signature's confirmation showed her.
    friend = visit()
    friend.confirm(friend.sign_from(path_of(shared), "friend@example.org"))
    # A code nobody made: "other"; two sign, one confirms.
    for n in range(2):
        person = visit()
        email = person.sign_from(f"/en/?source=made-up-{n}", f"other{n}@example.org")
        if n == 0:
            person.confirm(email)
    # No code at all: one signs and never confirms; her second form, from
    # another source, does not sign twice nor move her.
    person = visit()
    person.sign_from("/en/", "direct@example.org")
    person.sign_from("/en/?source=x", "direct@example.org")

    # A week and more later, the hourly jobs delete the unconfirmed signatures.
    old = timezone.now() - timedelta(days=settings.CONFIRMATION_DAYS + 1)
    Signature.objects.filter(confirmed_at__isnull=True).update(created_at=old)
    call_command("hourly_upkeep", stdout=io.StringIO())
    assert Signature.objects.filter(confirmed_at__isnull=True).count() == 0

    admin = HttpsClient()
    admin.force_login(admin_user)
    assert figures_table(admin) == {
        "whatsapp": ("3", "2", "67%"),
        "partner-news": ("2", "2", "100%"),
        "other": ("2", "1", "50%"),
        "": ("1", "0", "0%"),
    }
    today = timezone.localdate().strftime("%-d %b %Y")
    assert chart_values(admin) == {
        "WhatsApp": "3 · 67%",
        "partner-news": "2 · 100%",
        "Other (a code the site does not know)": "2 · 50%",
        "No code (the address typed, or shared without one)": "1 · 0%",
    }
    assert chart_values(admin, "day-chart", source="whatsapp") == {today: "3 · 67%"}
    assert figures_table(admin, "per-day", source="other") == {"other": ("2", "1", "50%")}

    csv_page = admin.get(FIGURES, {"campaign": campaign.pk, "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(csv_page.streaming_content).decode("utf-8-sig"))))
    day = timezone.localdate().isoformat()
    assert rows[0] == ["letter", "day", "source", "signatures", "confirmed", "confirmation_rate"]
    assert sorted(rows[1:]) == [
        [campaign.slug, day, "", "1", "0", "0.000"],
        [campaign.slug, day, "other", "2", "1", "0.500"],
        [campaign.slug, day, "partner-news", "2", "2", "1.000"],
        [campaign.slug, day, "whatsapp", "3", "2", "0.667"],
    ]


def test_the_pages_a_signer_sees_after_signing_share_on_the_code_she_came_through(
    campaign, mailoutbox, deliver_emails, signing_freely
):
    person = Visitor(mailoutbox, deliver_emails)
    email = person.sign_from("/en/?source=facebook", "ana@example.org")

    thanks = person.open(reverse("pledges:thanks"))
    confirmed = person.confirm(email).content.decode()

    assert whatsapp_link(thanks) == "https://testserver/en/?source=facebook"
    assert whatsapp_link(confirmed) == "https://testserver/en/?source=facebook"
    assert Signature.objects.get().source == "facebook"


def test_the_letters_page_and_the_signing_page_carry_the_code_to_the_form(client, campaign):
    assert hidden_source(client.get("/en/?source=WhatsApp").content.decode()) == "whatsapp"
    assert hidden_source(client.get("/en/sign/?source=email").content.decode()) == "email"
    assert hidden_source(client.get("/en/?source=<script>").content.decode()) == "other"
    assert hidden_source(client.get("/en/").content.decode()) == ""


def test_a_form_sent_back_keeps_its_code(client, campaign):
    page = client.post(reverse("pledges:sign"), signing_form(email="nope", source="x"))

    assert page.status_code == 200
    assert hidden_source(page.content.decode()) == "x"


def test_the_language_switch_keeps_the_code(client, campaign):
    page = client.get("/en/?source=partner-news").content.decode()

    assert 'href="/es/?source=other"' in page  # not a code the site knows


def test_a_code_staff_made_is_known_at_once_on_this_host(client, campaign, admin_client):
    assert hidden_source(client.get("/en/?source=march-rally").content.decode()) == "other"

    admin_client.post(
        reverse("admin:campaign_sourcecode_add"),
        {"code": "march-rally", "description": "Flyers at the march"},
    )

    assert hidden_source(client.get("/en/?source=march-rally").content.decode()) == "march-rally"


@pytest.mark.parametrize("code", ["whatsapp", "other", "Partner News", "news_letter", ""])
def test_staff_cannot_make_a_code_the_site_uses_or_one_that_is_not_plain(admin_client, code):
    page = admin_client.post(reverse("admin:campaign_sourcecode_add"), {"code": code})

    assert page.status_code == 200
    assert "errornote" in page.content.decode()
    assert not SourceCode.objects.exists()


def test_staff_see_the_link_to_give_out_with_their_code(admin_client, campaign):
    SourceCode.objects.create(code="partner-news")

    page = admin_client.get(reverse("admin:campaign_sourcecode_changelist")).content.decode()

    assert "https://testserver/en/?source=partner-news" in page


@pytest.mark.parametrize("path", ["/en/", "/en/sign/"])
def test_made_up_codes_and_tracking_tags_share_one_kept_page(
    client, campaign, settings, path, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 5
    client.get(f"{path}?source=made-up")

    # Every other made-up code, and the tags Facebook and mailers add, find
    # the page kept for "other": rendered once, not once per address.
    with django_assert_num_queries(0):
        for n in range(20):
            page = client.get(f"{path}?source=junk-{n}&fbclid=IwAR{n}&utm_source=x{n}")
            assert hidden_source(page.content.decode()) == "other"


def test_a_known_code_is_a_page_of_its_own_and_no_code_is_another(
    client, campaign, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 5
    client.get("/en/?source=whatsapp")
    client.get("/en/?fbclid=abc")

    with django_assert_num_queries(0):
        assert hidden_source(client.get("/en/?source=whatsapp&x=1").content.decode()) == "whatsapp"
        assert hidden_source(client.get("/en/").content.decode()) == ""


def test_a_page_reached_through_a_code_sets_no_cookie_and_stays_public(client, campaign, settings):
    settings.PAGE_CACHE_SECONDS = 5
    response = client.get("/en/?source=whatsapp")

    assert not response.cookies
    assert "public" in response["Cache-Control"]


def test_signing_stores_the_code_and_updates_no_shared_row(client, campaign):
    client.post(reverse("pledges:sign"), signing_form(source="whatsapp"))

    signature = Signature.objects.get()
    assert (signature.source, signature.source_pending) == ("whatsapp", True)
    assert not SourceTally.objects.exists()  # the worker counts it


def test_the_worker_counts_each_new_signature_once_whatever_it_is_sent(
    client, campaign, mailoutbox, deliver_emails, signing_freely
):
    client.post(reverse("pledges:sign"), signing_form(source="x"))
    deliver_emails()
    client.post(reverse("pledges:sign"), signing_form(source="x"))  # "send it again"
    deliver_emails()
    call_command("recount_signatures", stdout=io.StringIO())

    assert len(mailoutbox) == 2
    assert list(SourceTally.objects.values_list("source", "signed", "confirmed")) == [("x", 1, 0)]


def test_a_withdrawal_leaves_the_figures_as_they_were(
    campaign, mailoutbox, deliver_emails, signing_freely
):
    person = Visitor(mailoutbox, deliver_emails)
    person.confirm(person.sign_from("/en/?source=email", "ana@example.org"))

    Signature.objects.get().withdraw()

    assert list(SourceTally.objects.values_list("source", "signed", "confirmed")) == [
        ("email", 1, 1)
    ]


def test_a_signature_deleted_before_the_worker_counted_it_is_counted_as_it_goes(client, campaign):
    client.post(reverse("pledges:sign"), signing_form(source="copy"))

    Signature.objects.all().delete()

    assert list(SourceTally.objects.values_list("source", "signed", "confirmed")) == [
        ("copy", 1, 0)
    ]


def test_imported_and_founding_signatures_are_not_in_the_figures(campaign):
    make_signature(campaign)
    call_command("recount_signatures", stdout=io.StringIO())

    assert not SourceTally.objects.exists()


def test_the_figures_are_for_staff_who_see_signatures(client, campaign, django_user_model):
    staff = django_user_model.objects.create_user("helper", password="x", is_staff=True)
    client.force_login(staff)

    assert client.get(FIGURES).status_code == 403


def test_the_privacy_notice_says_what_the_code_is_and_that_it_is_kept_as_a_count(client, db):
    page = client.get(reverse("pledges:privacy")).content.decode()

    assert "?source=" in page
    assert "kept as a count" in page


def test_the_codes_list_costs_the_same_queries_however_many_codes(
    admin_client, campaign, django_assert_max_num_queries
):
    SourceCode.objects.create(code="one")
    with CaptureQueriesContext(connection) as one:
        admin_client.get(reverse("admin:campaign_sourcecode_changelist"))
    for n in range(10):
        SourceCode.objects.create(code=f"more-{n}")

    with django_assert_max_num_queries(len(one.captured_queries)):
        admin_client.get(reverse("admin:campaign_sourcecode_changelist"))


def test_a_code_deleted_from_the_list_is_forgotten_at_once(client, campaign, admin_client):
    code = SourceCode.objects.create(code="old-flyer")
    assert hidden_source(client.get("/en/?source=old-flyer").content.decode()) == "old-flyer"

    admin_client.post(
        reverse("admin:campaign_sourcecode_changelist"),
        {"action": "delete_selected", "_selected_action": [code.pk], "post": "yes"},
    )

    assert not SourceCode.objects.exists()
    assert hidden_source(client.get("/en/?source=old-flyer").content.decode()) == "other"

"""Every share link a page makes carries its channel's code, and a page
reached through a code shares on with that code, through signing to the
confirmed page: checked in Chromium, as a person taps them."""

import re
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from playwright.sync_api import expect

from campaign.models import SourceCode
from pledges.models import Signature
from tests.browser.test_signing_journeys import confirmation_link_sent_to

# What the phone's share sheet was handed: headless Chromium has none to open.
RECORD_SHARES = """
window.__shared = [];
navigator.share = (data) => { window.__shared.push(data); return Promise.resolve(); };
"""


@pytest.fixture
def campaign(campaign, transactional_db):
    """The featured campaign, committed where gunicorn's workers can read it."""
    return campaign


@pytest.fixture
def sharer(browser, live_site, transactional_db):
    """A desktop browser whose clipboard the page may use, and whose share
    sheet records what it is given."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_site.base_url
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.add_init_script(RECORD_SHARES)
    page = context.new_page()
    yield page
    context.close()


def codes_shared(page):
    """{button: the source code of the letter's address it shares}, by
    following every share button and link of the page as a person would."""
    share = page.locator(".share")
    codes = {}

    def code_in(text):
        url = re.search(r"https?://\S+", unquote(text)).group(0)
        return parse_qs(urlparse(url).query)["source"][0]

    for link in share.locator("a.button").all():
        href = link.get_attribute("href")
        query = parse_qs(urlparse(href).query)
        if href.startswith("mailto:"):
            codes["email"] = code_in(query["body"][0])
        elif "facebook.com" in href:
            codes["facebook"] = code_in(query["u"][0])
        else:
            codes[urlparse(href).netloc] = code_in(query["text"][0])
    share.get_by_role("button", name="Copy the link").click()
    expect(share.locator(".share-status")).not_to_be_empty()
    codes["copy"] = code_in(page.evaluate("navigator.clipboard.readText()"))
    share.get_by_role("button", name="Share…").click()
    codes["share-sheet"] = code_in(page.evaluate("window.__shared[0].text"))
    return codes


def test_every_share_button_of_the_letters_page_names_its_channel(sharer, campaign):
    sharer.goto("/en/")

    assert codes_shared(sharer) == {
        "share-sheet": "share-sheet",
        "wa.me": "whatsapp",
        "x.com": "x",
        "facebook": "facebook",
        "email": "email",
        "copy": "copy",
    }


def test_a_chain_of_re_shares_is_credited_to_where_it_began(sharer, live_site, campaign):
    SourceCode.objects.create(code="partner-news")
    from_the_newsletter = dict.fromkeys(
        ["share-sheet", "wa.me", "x.com", "facebook", "email", "copy"], "partner-news"
    )

    sharer.goto("/en/?source=partner-news&utm_medium=email")
    assert codes_shared(sharer) == from_the_newsletter
    sharer.get_by_label("Your name").fill("Ana Lucía Pérez")
    sharer.get_by_label("Your email address").fill("ana@example.org")
    sharer.get_by_label("Country").select_option("MX")
    sharer.get_by_role("button", name="Sign the letter").click()

    expect(sharer.get_by_role("heading", level=1)).to_contain_text("does not count yet")
    assert codes_shared(sharer) == from_the_newsletter
    sharer.goto(confirmation_link_sent_to("ana@example.org", live_site))
    assert sharer.locator(".share").count() == 0  # the one button, nothing competing
    sharer.get_by_role("button", name="Confirm my signature", exact=True).click()
    expect(sharer.get_by_role("heading", level=1)).to_have_text("Your signature is confirmed")
    assert codes_shared(sharer) == from_the_newsletter
    assert Signature.objects.get().source == "partner-news"


def test_the_widgets_button_opens_the_letter_with_its_code(sharer, campaign):
    sharer.goto("/embed/")

    with sharer.context.expect_page() as opened:
        sharer.get_by_role("link", name="Sign the letter").click()
    letter = opened.value
    letter.wait_for_load_state()

    assert urlparse(letter.url).query == "source=widget"
    assert letter.locator('.sign-form input[name="source"]').get_attribute("value") == "widget"

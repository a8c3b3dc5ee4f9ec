"""What visitors tripped on, each checked in Chromium as they met it."""

import re

import pytest
from playwright.sync_api import expect

from campaign.models import Campaign
from tests.browser.conftest import sign_the_form
from tests.browser.test_signing_journeys import confirmation_link_sent_to
from tests.factories import make_signature


@pytest.fixture
def campaign(campaign, transactional_db):
    """The featured campaign, committed where gunicorn's workers can read it."""
    return campaign


def test_every_visible_share_button_on_desktop_does_something(desktop, campaign):
    desktop.context.grant_permissions(["clipboard-read", "clipboard-write"])
    desktop.goto("/en/sign/thanks/")
    share = desktop.locator(".share")

    buttons = share.locator("button:visible")
    # Desktop Chromium has no Web Share API: no "Share…" button that does nothing.
    expect(share.get_by_role("button", name="Share…")).to_be_hidden()
    for i in range(buttons.count()):
        buttons.nth(i).click()
        expect(share.locator(".share-status")).not_to_be_empty()
    links = share.locator("a.button:visible")
    assert links.count() >= 4
    for i in range(links.count()):
        assert links.nth(i).get_attribute("href")


def test_without_javascript_no_share_or_copy_button_shows(browser, live_site, campaign):
    context = browser.new_context(java_script_enabled=False, base_url=live_site.base_url)
    page = context.new_page()

    page.goto("/en/sign/thanks/")

    expect(page.get_by_role("button", name="Share…")).to_be_hidden()
    expect(page.get_by_role("button", name="Copy the link")).to_be_hidden()
    expect(page.get_by_role("link", name="Send by email")).to_be_visible()
    context.close()


@pytest.mark.parametrize("path", ["/en/", "/en/signatures/", "/en/stats/", "/en/sign/"])
def test_a_closed_letter_asks_nobody_to_sign_on_any_page(phone, campaign, path):
    Campaign.objects.filter(pk=campaign.pk).close_signing()

    phone.goto(path)

    expect(phone.get_by_text("Join me!")).to_have_count(0)
    expect(phone.get_by_role("link", name="Sign the letter")).to_have_count(0)
    expect(phone.get_by_text(re.compile("Signing (has|is) closed"))).not_to_have_count(0)
    expect(phone.get_by_role("link", name=campaign.donation_label)).to_be_visible()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_widget_fits_the_snippets_height_on_a_phone(browser, live_site, campaign, language):
    snippet = campaign.embed_snippet(live_site.url("/embed/"))
    height = int(re.search(r'height="(\d+)"', str(snippet)).group(1))
    context = browser.new_context(
        viewport={"width": 320, "height": height},
        locale=language,
        extra_http_headers={"Accept-Language": language},
        base_url=live_site.base_url,
    )
    page = context.new_page()

    page.goto("/embed/")

    content_height = page.evaluate("document.documentElement.scrollHeight")
    assert content_height <= height, f"{content_height} px of content in a {height} px frame"
    context.close()


def test_a_featured_voice_has_one_rule_not_two(desktop, campaign):
    make_signature(campaign, name="Voice", is_featured=True, quote="We are not alone.")

    desktop.goto("/en/")
    quote = desktop.locator(".voice blockquote").first

    assert quote.evaluate("q => getComputedStyle(q).borderLeftWidth") == "0px"
    assert (
        desktop.locator(".voice").first.evaluate("v => getComputedStyle(v).borderLeftWidth")
        != "0px"
    )


def test_statistics_of_one_day_say_the_date_once_in_letters_a_phone_can_read(phone, campaign):
    make_signature(campaign)
    make_signature(campaign)
    phone.set_viewport_size({"width": 320, "height": 800})

    phone.goto("/en/stats/")

    day_chart = phone.locator("section[aria-labelledby=days-heading] svg")
    assert day_chart.locator("text.label").count() == 1
    smallest = phone.evaluate(
        """() => Math.min(...[...document.querySelectorAll('svg.chart text')].map(
            t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))"""
    )
    assert smallest >= 14


def test_the_thanks_page_says_what_makes_a_signature_count(phone, campaign):
    phone.goto("/en/sign/thanks/")

    expect(phone.get_by_text("press “Confirm my signature”")).to_be_visible()


def test_the_wall_says_that_some_sign_privately(phone, campaign):
    make_signature(campaign, name="Public Signer", show_name=True)
    make_signature(campaign, name="Private Signer", show_name=False)

    phone.goto("/en/signatures/")

    expect(phone.get_by_text("2", exact=True)).to_be_visible()
    expect(phone.get_by_text("Many sign without showing their name")).to_be_visible()
    expect(phone.get_by_text("Private Signer")).to_have_count(0)


def test_error_pages_carry_the_campaigns_name_and_the_site_has_an_icon(phone, campaign):
    phone.goto("/en/no-such-page/")
    assert phone.title() == f"Page not found · {campaign.title}"
    expect(phone.locator(".brand")).to_have_text(campaign.title)

    phone.goto("/en/sign/confirm/not-a-token/")
    expect(phone.locator(".brand")).to_have_text(campaign.title)

    icon = phone.locator("link[rel=icon]").get_attribute("href")
    assert phone.request.get(icon).ok
    assert phone.request.get("/favicon.ico").ok


def test_the_email_goes_to_the_address_as_the_signer_typed_it(phone, live_site, campaign):
    sign_the_form(phone, "Nadia Newcomer", "Nadia.Newcomer@Example.org")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("does not count yet")
    expect(phone.locator(".sent-to")).to_have_text("Nadia.Newcomer@Example.org")  # as typed

    assert confirmation_link_sent_to("Nadia.Newcomer@example.org", live_site)

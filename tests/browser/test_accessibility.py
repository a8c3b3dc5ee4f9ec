"""Every public page checked with axe-core in the browser, in light and dark mode."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from pledges import tokens
from pledges.models import Signature
from tests.factories import make_featured_campaign, make_signature

AXE = Axe()


def serious_violations(page):
    results = AXE.run(page).response
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def sign_with_mistakes(page):
    page.goto("/en/sign/")
    page.get_by_label("Your email address").fill("not-an-address")
    page.get_by_role("button", name="Sign the letter").click()
    page.get_by_role("alert").wait_for()


def confirm_link(page, signature):
    page.goto(reverse("pledges:confirm", args=[tokens.confirmation_token(signature)]))


def confirmed(page, signature):
    confirm_link(page, signature)
    page.get_by_role("button", name="Confirm my signature").click()
    page.get_by_text("Your signature is confirmed").wait_for()


def withdraw_link(page, signature):
    page.goto(reverse("pledges:withdraw", args=[tokens.withdrawal_token(signature)]))


def withdrawn(page, signature):
    withdraw_link(page, signature)
    page.get_by_role("button", name="Withdraw my signature").click()
    page.get_by_text("Your signature has been withdrawn").wait_for()


PAGES = {
    "home": lambda page, _: page.goto("/en/"),
    "sign": lambda page, _: page.goto("/en/sign/"),
    "sign with mistakes": lambda page, _: sign_with_mistakes(page),
    "thanks": lambda page, _: page.goto("/en/sign/thanks/"),
    "wall": lambda page, _: page.goto("/en/signatures/"),
    "privacy": lambda page, _: page.goto("/en/privacy/"),
    "confirm": confirm_link,
    "confirmed": confirmed,
    "withdraw": withdraw_link,
    "withdrawn": withdrawn,
    "broken link": lambda page, _: page.goto("/en/sign/confirm/broken/"),
    "statistics": lambda page, _: page.goto("/en/stats/"),
    "widget": lambda page, _: page.goto("/embed/"),
    "home in Spanish": lambda page, _: page.goto("/es/"),
    "sign in Spanish": lambda page, _: page.goto("/es/sign/"),
    "statistics in Spanish": lambda page, _: page.goto("/es/stats/"),
    "not found": lambda page, _: page.goto("/no-such-page/"),
}


@pytest.fixture
def unconfirmed_signature(transactional_db):
    """A campaign with signatures on its wall, and one signature still to confirm."""
    campaign = make_featured_campaign()
    make_signature(
        campaign,
        name="Shown Signer",
        comment="Time is up.",
        status=Signature.Status.APPROVED,
        is_featured=True,
        quote="Time's up on silence.",
    )
    make_signature(campaign, show_name=False)
    return make_signature(campaign, confirmed_at=None)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_public_page_has_no_serious_accessibility_violation(
    phone, unconfirmed_signature, name, color_scheme
):
    phone.emulate_media(color_scheme=color_scheme)
    PAGES[name](phone, unconfirmed_signature)

    assert serious_violations(phone) == []


def test_closed_campaign_page_has_no_serious_accessibility_violation(phone):
    make_featured_campaign(signing_open=False)
    phone.goto("/en/sign/")

    assert serious_violations(phone) == []


def test_pages_stay_usable_at_200_percent_zoom(browser, live_site, unconfirmed_signature):
    # 200% zoom of a 1280px-wide window is a 640px-wide layout at twice the size.
    context = browser.new_context(
        viewport={"width": 640, "height": 450},
        device_scale_factor=2,
        base_url=live_site.base_url,
    )
    page = context.new_page()
    for path in ["/en/", "/en/sign/", "/en/signatures/", "/en/stats/", "/es/"]:
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at 200% zoom"
    context.close()


def test_the_check_itself_catches_a_violation(phone):
    # Guards the guard: axe-core really runs, and an unlabelled field fails.
    phone.set_content(
        '<html lang="en"><title>t</title><main><input type="text">'
        '<p style="color:#bbb;background:#fff">faint</p></main></html>'
    )

    found = " ".join(serious_violations(phone))
    assert "label" in found
    assert "color-contrast" in found

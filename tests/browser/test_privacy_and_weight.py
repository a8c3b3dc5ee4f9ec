"""Signers' visits are nobody else's business, and pages load fast on a phone."""

import pytest

from tests.browser.conftest import sign_the_form
from tests.factories import make_signature

PUBLIC_PAGES = ["/en/", "/en/sign/", "/en/sign/thanks/", "/en/signatures/"]
BUDGET_BYTES = 100_000


@pytest.fixture
def campaign(campaign, transactional_db):
    """The featured campaign, with a full page of the wall."""
    for _ in range(50):  # a full page of the wall
        make_signature(campaign, comment="A comment of some length. " * 5)
    return campaign


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_public_page_requests_nothing_from_another_site(phone, live_site, campaign, path):
    phone.goto(path)
    phone.wait_for_load_state("networkidle")

    elsewhere = [url for url in phone.requested_urls if not url.startswith(live_site.base_url)]
    assert elsewhere == []


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_public_page_weighs_under_100_kb_on_first_load(phone, campaign, path):
    bodies = []
    phone.on("response", lambda response: bodies.append(len(response.body())))

    phone.goto(path)
    phone.wait_for_load_state("networkidle")

    # Bodies as decoded: what travels compressed is smaller still.
    assert len(bodies) >= 3  # the page, its stylesheet and its script
    assert sum(bodies) < BUDGET_BYTES


def test_signing_works_without_javascript(browser, live_site, campaign):
    context = browser.new_context(java_script_enabled=False, base_url=live_site.base_url)
    page = context.new_page()

    sign_the_form(page, "No Script", "noscript@example.org", country="DE")

    assert (
        page.get_by_role("heading", level=1)
        .text_content()
        .startswith("Your signature does not count yet")
    )
    assert campaign.signatures.filter(email="noscript@example.org").exists()
    context.close()


def test_the_policy_check_itself_sees_a_blocked_request(phone, campaign):
    # Guards the guard in the page fixtures: a request the Content-Security-
    # Policy blocks shows up in the console, where the fixtures look for it.
    phone.goto("/en/")
    phone.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<img src=\"https://example.org/x.png\">')"
    )
    phone.wait_for_timeout(500)

    assert any("Content Security Policy" in text for text in phone.console_errors)
    phone.console_errors.clear()  # seen; the fixture's own check must not fail on it

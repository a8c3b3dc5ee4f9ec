"""Browser tests: Playwright drives Debian's Chromium against the site served by gunicorn.

Run only these: `make test PYTEST_ARGS="-m browser"`; watch them: see docs/browser-tests.md.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import User

# Playwright's sync API runs an event loop in this thread; the tests' own ORM
# calls (setting up rows, checking them) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(item.fspath).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": in CI the browser tests must run.")
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # This machine has no network but the loopback: keep Chromium from
        # reaching for Google's services at every start.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def record_console(page):
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))


def assert_no_csp_violations(page):
    """Our Content-Security-Policy must never block anything our own pages (and
    the admin's) need."""
    violations = [text for text in page.console_errors if "Content Security Policy" in text]
    assert violations == []


@pytest.fixture
def phone(browser, live_site, transactional_db):
    """A page in a phone-sized browser, recording every request it makes."""
    context = browser.new_context(**PHONE, base_url=live_site.base_url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    record_console(page)
    page.requested_urls = []
    page.on("request", lambda request: page.requested_urls.append(request.url))
    yield page
    context.close()
    assert_no_csp_violations(page)


@pytest.fixture
def desktop(browser, live_site, transactional_db):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_site.base_url, accept_downloads=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    record_console(page)
    yield page
    context.close()
    assert_no_csp_violations(page)


@pytest.fixture
def staff_member(transactional_db):
    return User.objects.create_superuser("moderator", "moderator@example.org", "a-long-password-1")


def save_screenshot(page, name):
    """The last step of a journey, as a picture, in a folder git ignores."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def sign_the_form(page, name, email, country="FR", industry="education"):
    """Fill in /en/sign/ as a person does, and send it."""
    page.goto("/en/sign/")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your email address").fill(email)
    page.get_by_label("Country").select_option(country)
    page.get_by_label("Where you work").select_option(industry)
    page.get_by_role("button", name="Sign the letter").click()

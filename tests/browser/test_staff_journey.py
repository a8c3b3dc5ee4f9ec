import csv
import io

from playwright.sync_api import expect

from tests.browser.conftest import save_screenshot
from tests.factories import make_featured_campaign, make_signature


def log_in(page, user):
    page.goto("/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("a-long-password-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def test_staff_find_a_signature_hide_it_and_it_leaves_the_wall_and_the_count(desktop, staff_member):
    campaign = make_featured_campaign()
    make_signature(campaign, name="Keep Me")
    make_signature(campaign, name="Troll Account")
    desktop.goto("/en/signatures/")
    expect(desktop.locator(".count-number")).to_have_text("2")

    log_in(desktop, staff_member)
    desktop.locator("#pledges-signature").get_by_role("link", name="Signatures").click()
    desktop.get_by_role("searchbox").fill("Troll")
    desktop.get_by_role("button", name="Search").click()
    row = desktop.get_by_role("row").filter(has_text="Troll Account")
    row.get_by_role("checkbox").check()
    desktop.get_by_role("combobox", name="Action").select_option(label="Hide selected signatures")
    desktop.get_by_role("button", name="Go").click()
    expect(desktop.get_by_text("1 signature marked “Hidden”.")).to_be_visible()

    desktop.goto("/en/signatures/")
    expect(desktop.locator(".count-number")).to_have_text("1")
    expect(desktop.locator(".wall")).not_to_contain_text("Troll Account")
    expect(desktop.locator(".wall")).to_contain_text("Keep Me")
    save_screenshot(desktop, "staff-hides-a-signature")


def test_staff_export_signatures_as_a_csv_download(desktop, staff_member):
    campaign = make_featured_campaign()
    make_signature(campaign, name='=HYPERLINK("http://evil")', email="evil@example.org")
    make_signature(campaign, name="Ana Pérez, “Jr”", email="ana@example.org")

    log_in(desktop, staff_member)
    desktop.goto("/admin/pledges/signature/")
    desktop.locator("#action-toggle").check()
    desktop.get_by_role("combobox", name="Action").select_option(
        label="Export selected signatures as CSV"
    )
    with desktop.expect_download() as download_info:
        desktop.get_by_role("button", name="Go").click()
    download = download_info.value

    assert download.suggested_filename.startswith("signatures-")
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    assert sorted(row["email"] for row in rows) == ["ana@example.org", "evil@example.org"]
    assert {row["name"] for row in rows} == {'\'=HYPERLINK("http://evil")', "Ana Pérez, “Jr”"}

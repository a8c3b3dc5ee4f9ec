import os
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from campaign.models import Campaign
from campaign.seed import TIMES_UP
from pledges.models import Signature, Submission
from tests.browser.conftest import PHONE, save_screenshot
from tests.factories import make_signature

README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "images" / "home.png"


def times_up():
    """The real campaign, as `make run` loads it."""
    return Campaign.objects.create(**TIMES_UP, published_at=timezone.now())


def confirmation_link_sent_to(address, live_site):
    """The confirmation link in the newest email to `address`, as the site wrote it."""
    for message in sorted(
        live_site.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True
    ):
        text = message.read_text()
        if f"To: {address}" in text:
            return re.search(r"http://\S+/sign/confirm/\S+/", text).group(0)
    raise AssertionError(f"no email to {address} in {live_site.mail_dir}")


def test_a_visitor_on_a_phone_reads_signs_confirms_and_finds_their_name_on_the_wall(
    phone, live_site
):
    make_signature(times_up(), name="An earlier signer")

    phone.goto("/en/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Time's Up")
    expect(phone.get_by_text("The clock has run out on sexual assault")).to_be_visible()
    # The count and the call to sign are at hand on a phone, without scrolling.
    expect(phone.locator(".call .count")).to_be_in_viewport()
    sign_call = phone.locator(".call").get_by_role("link", name="Sign the letter")
    expect(sign_call).to_be_in_viewport()
    if os.environ.get("UPDATE_README_SCREENSHOT"):
        phone.screenshot(path=README_SCREENSHOT)

    sign_call.click()
    phone.get_by_label("Your name").fill("Ana Lucía Pérez")
    phone.get_by_label("Your email address").fill("ana@example.org")
    phone.get_by_label("Country").select_option("MX")
    phone.get_by_label("Where you work").select_option("agriculture")
    phone.get_by_label("Show my name on the public list").check()
    phone.get_by_role("button", name="Sign the letter").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you for standing with us")
    expect(phone.get_by_text("check your inbox")).to_be_visible()
    expect(phone.locator(".count-number")).to_have_text("1")  # counts once confirmed

    phone.goto(confirmation_link_sent_to("ana@example.org", live_site))
    phone.get_by_role("button", name="Confirm my signature").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your signature is confirmed")
    expect(phone.locator(".count-number")).to_have_text("2")
    phone.get_by_role("link", name="See who has signed").click()
    newest = phone.locator(".signature").first
    expect(newest).to_contain_text("Ana Lucía Pérez")
    expect(newest).to_contain_text("Agriculture and farm work · Mexico")
    save_screenshot(phone, "phone-signs-and-finds-name-on-wall")


def tab_to(page, selector, limit=40):
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never received focus after {limit} tabs")


def focus_is_visible(page):
    return page.evaluate("getComputedStyle(document.activeElement).outlineStyle !== 'none'")


def test_a_keyboard_user_signs_without_a_mouse(desktop):
    times_up()
    desktop.goto("/en/")

    desktop.keyboard.press("Tab")  # the skip link comes first
    expect(desktop.get_by_role("link", name="Skip to content")).to_be_focused()
    for _ in range(10):
        desktop.keyboard.press("Tab")
        if desktop.evaluate("document.activeElement.textContent.trim()") == "Sign the letter":
            break
    assert focus_is_visible(desktop)
    desktop.keyboard.press("Enter")

    expect(desktop).to_have_url(re.compile(r"/en/sign/$"))
    tab_to(desktop, "#id_name")
    assert focus_is_visible(desktop)
    desktop.keyboard.type("Keyboard Signer")
    tab_to(desktop, "#id_email")
    desktop.keyboard.type("keys@example.org")
    tab_to(desktop, "#id_country")
    desktop.keyboard.type("Mexico")
    tab_to(desktop, "#id_industry")
    desktop.keyboard.type("Law")
    tab_to(desktop, "#id_show_name")
    desktop.keyboard.press("Space")
    tab_to(desktop, "button[type=submit]")
    expect(desktop.get_by_role("button", name="Sign the letter")).to_be_focused()
    desktop.keyboard.press("Enter")

    expect(desktop.get_by_role("heading", level=1)).to_have_text("Thank you for standing with us")
    # What the form asked, kept for the confirmation page to show its owner.
    asked = Submission.objects.get()
    assert (asked.name, asked.country.code, asked.industry, asked.show_name) == (
        "Keyboard Signer",
        "MX",
        "law",
        True,
    )
    save_screenshot(desktop, "keyboard-signs")


def test_a_visitor_who_makes_mistakes_sees_each_message_beside_its_field(phone):
    times_up()
    phone.goto("/en/sign/")

    phone.get_by_label("Your name").fill("Ana Lucía")
    phone.get_by_label("Your email address").fill("ana@")
    phone.get_by_label("A few words").fill("Fuerza")
    phone.get_by_role("button", name="Sign the letter").click()

    summary = phone.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please correct the 3 fields marked below")
    email = phone.get_by_label("Your email address")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(phone.locator("#id_email_error")).to_have_text("Enter a valid email address.")
    assert "id_email_error" in email.get_attribute("aria-describedby")
    expect(phone.locator("#id_country_error")).to_have_text("This field is required.")
    expect(phone.locator("#id_industry_error")).to_have_text("This field is required.")
    # What was typed is kept.
    expect(phone.get_by_label("Your name")).to_have_value("Ana Lucía")
    expect(email).to_have_value("ana@")
    expect(phone.get_by_label("A few words")).to_have_value("Fuerza")
    save_screenshot(phone, "mistakes-shown-beside-fields")

    summary.get_by_role("link", name="Your email address: Enter a valid email address.").click()
    expect(email).to_be_focused()
    email.fill("ana@example.org")
    phone.get_by_label("Country").select_option("ES")
    phone.get_by_label("Where you work").select_option("health")
    phone.get_by_role("button", name="Sign the letter").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you for standing with us")
    assert Signature.objects.get().comment == "Fuerza"


def test_a_spanish_phone_opens_a_shared_link_in_spanish_signs_shares_and_switches_language(
    browser, live_site, transactional_db
):
    times_up()
    context = browser.new_context(**PHONE, locale="es-ES", base_url=live_site.base_url)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    phone = context.new_page()

    phone.goto("/")  # a link shared without a language
    expect(phone).to_have_url(re.compile(r"/es/$"))
    expect(phone.get_by_text("Se acabó el tiempo para las agresiones sexuales")).to_be_visible()
    phone.locator(".call").get_by_role("link", name="Firma la carta").click()
    phone.get_by_label("Tu nombre").fill("Lucía Gómez")
    phone.get_by_label("Tu correo electrónico").fill("lucia@example.org")
    phone.get_by_label("País").select_option("MX")
    phone.get_by_label("Dónde trabajas").select_option("agriculture")
    phone.get_by_role("button", name="Firma la carta").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Gracias por apoyarnos")
    # Sharing: the signers' words, the hashtag and the link, in Spanish.
    expect(phone.locator(".share-text")).to_contain_text("¡Únete!")
    expect(phone.locator(".share-text")).to_contain_text("#TIMESUP")
    phone.get_by_role("button", name="Copiar el enlace").click()
    expect(phone.get_by_role("status").filter(has_text="Enlace copiado")).to_be_visible()
    assert phone.evaluate("navigator.clipboard.readText()").endswith("/es/sign/")

    link = confirmation_link_sent_to("lucia@example.org", live_site)
    assert "/es/sign/confirm/" in link
    phone.goto(link)
    phone.get_by_role("button", name="Confirmar mi firma").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Tu firma está confirmada")

    phone.get_by_role("link", name="English").click()
    expect(phone).to_have_url(re.compile(r"/en/sign/confirm/"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your signature is confirmed")
    context.close()

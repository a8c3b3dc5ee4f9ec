import os
import re
from pathlib import Path

import pytest
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


WORDS = {
    "en": {
        "name": "Your name",
        "email": "Your email address",
        "show": "Show my name on the public list",
        "sign": "Sign the letter",
        "thanks": "Your signature does not count yet: confirm it from your email",
        "confirm": "Confirm my signature",
        "confirmed": "Your signature is confirmed",
        "wall": "See who has signed",
    },
    "es": {
        "name": "Tu nombre",
        "email": "Tu correo electrónico",
        "show": "Mostrar mi nombre en la lista pública",
        "sign": "Firma la carta",
        "thanks": "Tu firma aún no cuenta: confírmala desde tu correo",
        "confirm": "Confirmar mi firma",
        "confirmed": "Tu firma está confirmada",
        "wall": "Mira quién ha firmado",
    },
}
SIZES = {
    "phone": {**PHONE},
    "desktop": {"viewport": {"width": 1366, "height": 768}},
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("language", "locale"), [("en", "en-US"), ("es", "es-MX")])
def test_from_a_shared_link_to_a_counted_signature_on_the_letters_page(
    browser, live_site, transactional_db, size, language, locale
):
    """The shared link opens the letter's page, the form is on it: four page
    loads (the letter, the thanks page, the email's link, the confirmed page)
    and three taps (Sign, the link in the email, Confirm) to be counted."""
    make_signature(times_up(), name="An earlier signer")
    words = WORDS[language]
    context = browser.new_context(**SIZES[size], locale=locale, base_url=live_site.base_url)
    page = context.new_page()
    loads = []
    page.on("load", lambda: loads.append(page.url))
    address = f"ana.{size}.{language}@example.org"

    page.goto(f"/{language}/")  # the shared link
    expect(page.get_by_role("heading", level=1)).to_have_text("Time's Up")
    # The count and the form's first field at hand, without scrolling.
    expect(page.locator(".call .count")).to_be_in_viewport()
    expect(page.get_by_label(words["name"])).to_be_in_viewport()
    # The country comes preselected from the browser's language region.
    expect(page.get_by_label("País" if language == "es" else "Country")).to_have_value(
        locale.split("-")[1]
    )
    if size == "phone" and language == "en" and os.environ.get("UPDATE_README_SCREENSHOT"):
        page.screenshot(path=README_SCREENSHOT)

    page.get_by_label(words["name"]).fill("Ana Lucía Pérez")
    page.get_by_label(words["email"]).fill(address)
    page.get_by_label(words["show"]).check()
    page.get_by_role("button", name=words["sign"]).click()  # tap 1

    expect(page.get_by_role("heading", level=1)).to_have_text(words["thanks"])
    expect(page.locator(".sent-to")).to_have_text(address)
    expect(page.locator(".count-number")).to_have_text("1")  # counts once confirmed

    page.goto(confirmation_link_sent_to(address, live_site))  # tap 2, in the email
    assert f"/{language}/sign/confirm/" in page.url
    page.get_by_role("button", name=words["confirm"], exact=True).click()  # tap 3
    expect(page.get_by_role("heading", level=1)).to_have_text(words["confirmed"])
    expect(page.locator(".count-number")).to_have_text("2")
    assert len(loads) == 4, loads

    page.get_by_role("link", name=words["wall"]).first.click()
    newest = page.locator(".signature").first
    expect(newest).to_contain_text("Ana Lucía Pérez")
    assert Signature.objects.get(email=address).industry == "undisclosed"
    save_screenshot(page, f"one-page-signing-{size}-{language}")
    context.close()


@pytest.mark.parametrize("language", ["en", "es"])
def test_on_a_phone_the_required_fields_and_the_button_fit_one_screen(
    browser, live_site, transactional_db, language
):
    times_up()
    context = browser.new_context(**PHONE, base_url=live_site.base_url)
    page = context.new_page()
    page.goto(f"/{language}/")

    form = page.locator(".call .sign-form")
    first_field = form.locator(".field").first.bounding_box()
    button = form.locator("button[type=submit]").bounding_box()

    assert button["y"] + button["height"] - first_field["y"] <= PHONE["viewport"]["height"]
    header = page.locator(".site-header .wrap")
    brand = page.locator(".site-header .brand").bounding_box()
    for part in header.locator("nav, .language-switch").all():
        box = part.bounding_box()
        assert abs(box["y"] - brand["y"]) < brand["height"], "the phone header is one row"
    context.close()


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
    tab_to(desktop, "#id_name")  # the form is on the letter's page
    assert focus_is_visible(desktop)
    desktop.keyboard.type("Keyboard Signer")
    tab_to(desktop, "#id_email")
    desktop.keyboard.type("keys@example.org")
    tab_to(desktop, "#id_country")
    desktop.keyboard.type("Mexico")
    tab_to(desktop, "#id_industry")
    desktop.keyboard.type("Law")
    expect(desktop.get_by_label("Where you work")).to_have_value("law")
    tab_to(desktop, "#id_show_name")
    desktop.keyboard.press("Space")
    tab_to(desktop, "button[type=submit]")
    expect(desktop.get_by_role("button", name="Sign the letter")).to_be_focused()
    desktop.keyboard.press("Enter")

    expect(desktop.get_by_role("heading", level=1)).to_have_text(WORDS["en"]["thanks"])
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
    phone.get_by_text("Add a few words (optional)").click()  # folded: it is optional
    phone.get_by_label("A few words").fill("Fuerza")
    phone.get_by_role("button", name="Sign the letter").click()

    summary = phone.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please correct the field marked below")
    email = phone.get_by_label("Your email address")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(phone.locator("#id_email_error")).to_have_text(
        "Enter your email address as name@example.org."
    )
    assert "id_email_error" in email.get_attribute("aria-describedby")
    # The country was preselected from the browser's language (en-US).
    expect(phone.locator("#id_country_error")).to_have_count(0)
    expect(phone.locator("#id_industry_error")).to_have_count(0)  # may be left unsaid
    # What was typed is kept.
    expect(phone.get_by_label("Your name")).to_have_value("Ana Lucía")
    expect(email).to_have_value("ana@")
    expect(phone.get_by_label("A few words")).to_have_value("Fuerza")
    save_screenshot(phone, "mistakes-shown-beside-fields")

    summary.get_by_role("link", name="Your email address").click()
    expect(email).to_be_focused()
    email.fill("ana@example.org")
    phone.get_by_label("Country").select_option("ES")
    phone.get_by_label("Where you work").select_option("health")
    phone.get_by_role("button", name="Sign the letter").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text(WORDS["en"]["thanks"])
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
    phone.get_by_label("Tu nombre").fill("Lucía Gómez")
    phone.get_by_label("Tu correo electrónico").fill("lucia@example.org")
    phone.get_by_label("País").select_option("MX")
    phone.get_by_label("Dónde trabajas").select_option("agriculture")
    phone.get_by_role("button", name="Firma la carta").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text(WORDS["es"]["thanks"])
    # Sharing: the signers' words, the hashtag and the link, in Spanish.
    expect(phone.locator(".share-text")).to_contain_text("¡Únete!")
    expect(phone.locator(".share-text")).to_contain_text("#TIMESUP")
    phone.get_by_role("button", name="Copiar el enlace").click()
    expect(phone.get_by_role("status").filter(has_text="Enlace copiado")).to_be_visible()
    # The letter's page, naming the channel it was shared through.
    assert phone.evaluate("navigator.clipboard.readText()").endswith("/es/?source=copy")

    link = confirmation_link_sent_to("lucia@example.org", live_site)
    assert "/es/sign/confirm/" in link
    phone.goto(link)
    phone.get_by_role("button", name="Confirmar mi firma").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Tu firma está confirmada")

    phone.get_by_role("link", name="English").click()
    expect(phone).to_have_url(re.compile(r"/en/sign/confirm/"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your signature is confirmed")
    context.close()

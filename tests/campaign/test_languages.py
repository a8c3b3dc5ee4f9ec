"""English and Spanish: the browser's language by default, addresses that keep
the language, a switch, the campaign's own Spanish texts with English as fallback."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import make_featured_campaign, signing_form

pytestmark = pytest.mark.django_db

PO_FILE = Path(__file__).resolve().parents[2] / "locale/es/LC_MESSAGES/django.po"


def spanish(name, *args):
    with translation.override("es"):
        return reverse(name, args=args)


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("es-MX,es;q=0.9,en;q=0.5", "/es/"),
        ("es", "/es/"),
        ("en-GB,en;q=0.9", "/en/"),
        ("de-DE", "/en/"),  # a language we don't have: English
        ("", "/en/"),
    ],
)
def test_a_bare_address_opens_in_the_browsers_language(client, accept_language, expected):
    make_featured_campaign()

    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)

    assert response.status_code == 302
    assert response.url == expected


def test_a_shared_bare_link_to_the_form_keeps_its_page(client):
    make_featured_campaign()

    response = client.get("/sign/", HTTP_ACCEPT_LANGUAGE="es")

    assert response.url == "/es/sign/"


def test_an_address_with_a_language_keeps_it_whatever_the_browser_says(client):
    make_featured_campaign()

    response = client.get("/es/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert '<html lang="es">' in response.content.decode()
    assert "Firma la carta" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["campaign:home", "pledges:sign", "pledges:wall", "pledges:stats", "pledges:privacy"]
)
def test_every_public_page_reads_in_spanish_with_a_switch_to_english(client, name):
    make_featured_campaign()

    page = client.get(spanish(name)).content.decode()

    assert '<html lang="es">' in page
    assert "Ir al contenido" in page  # the skip link, from the base template
    english = reverse(name)
    assert f'<a href="{english}" lang="en" hreflang="en">English</a>' in page
    assert '<span aria-current="true">Español</span>' in page


def test_the_signing_form_and_its_errors_are_in_spanish(client):
    make_featured_campaign()

    page = client.post(spanish("pledges:sign"), signing_form(email="no-es-un-correo")).content
    page = page.decode()

    assert "Tu correo electrónico" in page
    assert "Escribe tu correo electrónico como nombre@example.org." in page
    assert "Elige tu país" in page


def test_the_campaigns_spanish_texts_show_on_spanish_pages(client):
    make_featured_campaign(
        title="Time's Up",
        letter_text="I stand with all women across every industry.",
        letter_text_es="Me uno a todas las mujeres de todos los sectores.",
        statement="The clock has run out.\n\nFrom movie sets to farm fields.",
        statement_es="Se acabó el tiempo.\n\nDe los platós a los campos.",
        donation_label="Donate to the Legal Defense Fund",
        donation_label_es="Dona al Fondo de Defensa Legal",
    )

    spanish_page = client.get(spanish("campaign:home")).content.decode()
    english_page = client.get(reverse("campaign:home")).content.decode()

    assert "Me uno a todas las mujeres de todos los sectores." in spanish_page
    assert "Se acabó el tiempo." in spanish_page
    assert "Dona al Fondo de Defensa Legal" in spanish_page
    assert "I stand with all women" not in spanish_page
    assert "I stand with all women across every industry." in english_page
    assert "Me uno" not in english_page


def test_a_text_not_yet_translated_falls_back_to_english(client):
    make_featured_campaign(
        letter_text="I stand with all women across every industry.",
        letter_text_es="",
        statement="The clock has run out.",
        statement_es="   ",  # blank is blank, spaces too
    )

    page = client.get(spanish("campaign:home")).content.decode()

    assert "I stand with all women across every industry." in page
    assert "The clock has run out." in page
    assert "La carta de solidaridad" in page  # the page itself is still Spanish


@pytest.fixture
def email_after_signing(client, mailoutbox, django_capture_on_commit_callbacks, settings):
    """Sign through the form at `path`; the email it sends, written at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    def sign(path, email):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(path, signing_form(email=email))
        return mailoutbox[-1]

    return sign


def test_signing_in_spanish_sends_the_email_in_spanish_with_spanish_links(email_after_signing):
    make_featured_campaign(title="Time's Up")

    message = email_after_signing(spanish("pledges:sign"), "lucia@example.org")

    assert message.subject == "Confirma tu firma de «Time's Up»"
    assert message.body.startswith("Hola:\n")  # no name: nobody has confirmed it
    assert "ha firmado «Time's Up» con esta dirección" in message.body
    assert "https://testserver/es/sign/confirm/" in message.body
    assert "https://testserver/es/sign/withdraw/" in message.body
    assert "https://testserver/es/privacy/" in message.body


def test_signing_in_english_sends_the_email_in_english(email_after_signing):
    make_featured_campaign(title="Time's Up")

    message = email_after_signing(reverse("pledges:sign"), "ann@example.org")

    assert message.subject == "Confirm your signature of “Time's Up”"
    assert "https://testserver/en/sign/confirm/" in message.body


def test_the_already_signed_email_is_in_the_language_of_the_second_visit(email_after_signing):
    campaign = make_featured_campaign(title="Time's Up")
    email_after_signing(reverse("pledges:sign"), "ana@example.org")
    campaign.signatures.get().confirm()

    message = email_after_signing(spanish("pledges:sign"), "ana@example.org")

    assert message.subject == "Ya has firmado «Time's Up»"
    assert "https://testserver/es/sign/withdraw/" in message.body


@pytest.mark.slow
def test_every_text_has_its_spanish_translation():
    result = subprocess.run(
        [shutil.which("msgfmt"), "--check", "--statistics", "-o", "/dev/null", str(PO_FILE)],
        capture_output=True,
        text=True,
        check=True,
    )

    # e.g. "263 translated messages." and nothing fuzzy or untranslated
    assert "translated messages" in result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr

"""Every email the site sends is an automated email as mail providers expect
one: marked so (RFC 3834), a Message-ID on the site's own domain, a plain
text part and an HTML part with the confirmation as a button, loading
nothing from anywhere."""

import re

import pytest

from pledges.updates.mail import update_email
from tests.factories import make_signature
from tests.pledges.conftest import sign_and_get_email
from tests.pledges.test_updates import make_update


def html_of(message):
    (html, mimetype), *others = message.alternatives
    assert mimetype == "text/html" and not others
    return html


@pytest.fixture
def confirmation_email(client, campaign, mailoutbox, deliver_emails):
    return sign_and_get_email(client, mailoutbox, deliver_emails, email="ana@example.org")


@pytest.fixture
def already_signed_email(client, campaign, mailoutbox, deliver_emails):
    make_signature(campaign, name="Nadia <b>Bold</b>", email="nadia@example.org")
    return sign_and_get_email(client, mailoutbox, deliver_emails, email="nadia@example.org")


@pytest.fixture
def an_update(campaign):
    signature = make_signature(campaign, wants_updates=True, email_language="en")
    return update_email(make_update(campaign), signature)


@pytest.fixture(params=["confirmation_email", "already_signed_email", "an_update"])
def message(request, transactional_db):
    return request.getfixturevalue(request.param)


def test_every_email_says_it_is_automated(message):
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_every_email_has_a_message_id_on_the_sites_own_domain(message):
    assert re.fullmatch(r"<[^@<>\s]+@testserver>", message.message()["Message-ID"])


def test_every_email_has_a_text_part_and_an_html_part_with_the_same_links(message):
    html = html_of(message)
    links = set(re.findall(r"https://testserver/\S+/", message.body))

    assert links  # the withdrawal link at least, and the privacy notice
    assert all(f'href="{link}"' in html for link in links)


def test_the_html_part_loads_nothing_from_anywhere(message):
    html = html_of(message)

    assert "<img" not in html
    assert "src=" not in html
    assert "url(" not in html
    assert "<link" not in html
    assert set(re.findall(r'href="(https?://[^/"]+)', html)) == {"https://testserver"}


def test_the_confirmation_is_a_clear_button(confirmation_email):
    link = re.search(r"https://testserver/en/sign/confirm/\S+/", confirmation_email.body).group(0)

    assert re.search(
        rf'<a href="{re.escape(link)}" style="[^"]*display:inline-block[^"]*">'
        r"Confirm my signature</a>",
        html_of(confirmation_email),
    )


def test_a_name_in_the_html_part_is_escaped(already_signed_email):
    html = html_of(already_signed_email)

    assert "Nadia &lt;b&gt;Bold&lt;/b&gt;" in html
    assert "<b>Bold" not in html


def test_an_update_keeps_its_one_click_unsubscribe(an_update):
    assert an_update.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert an_update.extra_headers["Auto-Submitted"] == "auto-generated"

"""Share links that carry the campaign's words, its hashtag and the link to
sign, and the tags that make a shared link show as a card."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import make_featured_campaign

pytestmark = pytest.mark.django_db

SIGNERS_POST = (
    "I stand with ALL WOMEN across every industry to say #TIMESUP on abuse, harassment, "
    "marginalization and underrepresentation. Join me! Sign the statement of solidarity & "
    "donate to the Legal Defense Fund:"
)

SIGNERS_POST_ES = "Me uno a TODAS LAS MUJERES de todos los sectores para decir #TIMESUP. ¡Únete!"


@pytest.fixture
def campaign(campaign):
    """The featured campaign, with the message its signers post in each language."""
    campaign.slug, campaign.hashtag = "timesup", "#TIMESUP"
    campaign.share_text, campaign.share_text_es = SIGNERS_POST, SIGNERS_POST_ES
    campaign.save()
    return campaign


def share_links(page):
    """{host: query} of every share link on the page."""
    links = {}
    for href in re.findall(r'href="(https://[^"]+)"', page):
        url = urlparse(href.replace("&amp;", "&"))
        links[url.netloc] = parse_qs(url.query)
    return links


def meta(page, attribute, name):
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', page)
    assert match, f"no {name} meta tag"
    return match.group(1)


@pytest.mark.parametrize("name", ["campaign:home", "pledges:thanks"])
def test_the_letters_page_and_the_thanks_page_share_the_signers_words_and_the_letters_page(
    client, campaign, name
):
    page = client.get(reverse(name)).content.decode()
    links = share_links(page)
    # Where the form is (one page to sign), named by the channel it is shared through.
    letter_url = "https://testserver/en/?source="

    assert links["x.com"]["text"] == [f"{SIGNERS_POST} {letter_url}x"]
    assert links["wa.me"]["text"] == [f"{SIGNERS_POST} {letter_url}whatsapp"]
    assert links["www.facebook.com"]["u"] == [f"{letter_url}facebook"]
    mailto = re.search(r'href="mailto:\?([^"]+)"', page).group(1).replace("&amp;", "&")
    assert parse_qs(mailto) == {
        "subject": ["Time's Up"],
        "body": [f"{SIGNERS_POST} {letter_url}email"],
    }
    # Copy and the phone's share sheet: buttons the script reveals where they work.
    assert f'data-copy-link="{letter_url}copy"' in page
    assert f'data-share-text="{SIGNERS_POST.replace("&", "&amp;")} {letter_url}share-sheet"' in page


def test_on_a_phone_the_share_sheet_and_whatsapp_come_first(client, campaign):
    page = client.get(reverse("campaign:home")).content.decode()
    share = page[page.index('id="share-heading"') :]

    assert share.index("data-share-text") < share.index("wa.me") < share.index("x.com")
    assert share.index("wa.me") < share.index("facebook.com") < share.index("mailto:")


@pytest.mark.parametrize(
    "name", ["pledges:sign", "pledges:privacy", "pledges:wall", "pledges:stats"]
)
def test_pages_before_signing_or_beside_it_ask_nobody_to_share(client, campaign, name):
    page = client.get(reverse(name)).content.decode()

    assert 'id="share-heading"' not in page
    assert "wa.me" not in page


def test_the_thanks_page_asks_to_share_once_beside_the_donation_call(client, campaign):
    page = client.get(reverse("pledges:thanks")).content.decode()

    assert page.count('id="share-heading"') == 1
    assert page.index("share-heading") < page.index("donate-heading")


def test_a_spanish_page_shares_the_spanish_message_and_the_spanish_form(client, campaign):
    with translation.override("es"):
        page = client.get(reverse("campaign:home")).content.decode()

    assert share_links(page)["wa.me"]["text"] == [
        f"{SIGNERS_POST_ES} https://testserver/es/?source=whatsapp"
    ]


def test_without_a_share_text_the_message_is_made_from_the_title_with_the_hashtag(client):
    make_featured_campaign(title="Equal Pay Now", hashtag="#EQUALPAY", share_text="")

    message = share_links(client.get(reverse("campaign:home")).content.decode())["wa.me"]["text"]

    assert message == [
        "I stand with Equal Pay Now. Join me! Sign the letter of solidarity: "
        "https://testserver/en/?source=whatsapp #EQUALPAY"
    ]


def test_a_share_text_staff_wrote_is_escaped_on_the_page(client):
    make_featured_campaign(share_text='<script>alert("x")</script> Join us', hashtag="#T")

    page = client.get(reverse("campaign:home")).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Join us" in page


def test_pages_carry_open_graph_and_twitter_card_tags_with_our_share_image(client, campaign):
    page = client.get(reverse("pledges:wall")).content.decode()

    assert meta(page, "property", "og:title") == "Time&#x27;s Up #TIMESUP"
    assert meta(page, "property", "og:description").startswith("The clock has run out")
    assert meta(page, "property", "og:url") == "https://testserver/en/signatures/"
    assert meta(page, "property", "og:locale") == "en_US"
    assert meta(page, "property", "og:locale:alternate") == "es_ES"
    assert meta(page, "name", "twitter:card") == "summary_large_image"
    image = meta(page, "property", "og:image")
    assert image == meta(page, "name", "twitter:image")
    assert image.startswith("https://testserver/static/img/share-card.")
    assert '<link rel="alternate" hreflang="es" href="https://testserver/es/signatures/">' in page


def test_the_share_image_is_served_by_us_as_a_picture_of_the_right_size(client, campaign):
    page = client.get(reverse("campaign:home")).content.decode()
    image_path = urlparse(meta(page, "property", "og:image")).path

    response = client.get(image_path)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    png = b"".join(response.streaming_content)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1200, 630)


def test_the_spanish_card_is_in_spanish(client, campaign):
    campaign.title_es = "Se acabó el tiempo"
    campaign.save()
    with translation.override("es"):
        page = client.get(reverse("campaign:home")).content.decode()

    assert meta(page, "property", "og:title") == "Se acabó el tiempo #TIMESUP"
    assert meta(page, "property", "og:locale") == "es_ES"


def test_a_language_added_later_still_gets_card_tags_never_an_error(client, campaign, settings):
    settings.LANGUAGES = [*settings.LANGUAGES, ("fr", "French")]

    page = client.get(reverse("campaign:home")).content.decode()

    assert '<meta property="og:locale:alternate" content="fr">' in page
    assert '<link rel="alternate" hreflang="fr" href="https://testserver/fr/">' in page


def test_share_links_and_cards_are_on_the_sites_own_address_whatever_host_was_asked(
    client, campaign, settings
):
    # A page any cache may keep must not carry the host of whoever asked first.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "mirror.example.org"]

    page = client.get(reverse("campaign:home"), headers={"Host": "mirror.example.org"})

    text = page.content.decode()
    assert meta(text, "property", "og:url") == "https://testserver/en/"
    assert share_links(text)["wa.me"]["text"][0].endswith(" https://testserver/en/?source=whatsapp")
    assert "mirror.example.org" not in text

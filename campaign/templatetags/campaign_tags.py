"""The parts every public page carries: the language switch, a letter's
addresses, the share links and the tags that make a shared link show as a
card. Every absolute address is on SITE_URL (site_address.py)."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse, translate_url
from django.utils.http import urlencode
from django.utils.translation import get_language, get_language_info, to_locale

from campaign.models import SHARE_CHANNELS
from timesup.infrastructure.site_address import absolute_url

register = template.Library()


@register.inclusion_tag("campaign/_language_switch.html", takes_context=True)
def language_switch(context):
    """This page in each language (the address keeps the language, and the
    source code the page was reached through)."""
    request = context.get("request")
    if request is None:  # the bare server-error page
        return {"languages": []}
    current = get_language()
    source = context.get("source")
    return {
        "languages": [
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": with_source(translate_url(request.path, code), source),
                "is_current": code == current,
            }
            for code, _ in settings.LANGUAGES
        ]
    }


def with_source(url, code):
    """`url` with `?source=<code>` (a link to a letter's page names where it
    was shared), or as it is without a code."""
    return f"{url}?{urlencode({'source': code})}" if code else url


@register.simple_tag
def campaign_url(campaign, url_name="campaign:home"):
    """The address of one of `campaign`'s pages, by its URL name
    (Campaign.page_url); the featured letter's where a page has no campaign
    (an error page)."""
    if not campaign:
        return reverse(url_name)
    return campaign.page_url(url_name)


@register.inclusion_tag("campaign/_share.html")
def share_links(campaign, origin=""):
    """Links that open a post, a message or an email with the campaign's own
    words, its hashtag and the link to the letter's page (where its form is),
    in the visitor's language.

    Each link names its channel (`?source=whatsapp`), so organisers see which
    brings signers; on a page reached through a code (`origin`), every link
    carries that code instead, so a chain of re-shares is credited to where
    it began (as ControlShift's "bucket")."""
    letter_url = absolute_url(campaign.page_url())
    links = {
        channel.replace("-", "_"): with_source(letter_url, origin or channel)
        for channel in SHARE_CHANNELS
    }
    messages = {channel: campaign.share_message(url) for channel, url in links.items()}
    return {"campaign": campaign, "links": links, "messages": messages}


@register.inclusion_tag("campaign/_social_meta.html", takes_context=True)
def social_meta(context, campaign):
    """Open Graph and Twitter card tags: what a shared link shows as its card."""
    path = context["request"].path
    language = get_language()
    return {
        "campaign": campaign,
        "page_url": absolute_url(path),
        "image_url": absolute_url(static("img/share-card.png")),
        "locale": _open_graph_locale(language),
        "alternate_locales": [
            _open_graph_locale(code) for code, _ in settings.LANGUAGES if code != language
        ],
        "alternates": [
            (code, absolute_url(translate_url(path, code))) for code, _ in settings.LANGUAGES
        ],
    }


# Open Graph names locales language_TERRITORY; a language added to LANGUAGES
# without a territory here gets Django's locale name (e.g. "fr").
_OPEN_GRAPH_TERRITORIES = {"en": "en_US", "es": "es_ES"}


def _open_graph_locale(language):
    return _OPEN_GRAPH_TERRITORIES.get(language, to_locale(language))

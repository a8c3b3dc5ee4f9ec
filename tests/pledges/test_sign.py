import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.urls import reverse

from pledges.models import Signature, Submission
from pledges.models.submission import _prepared_defaults
from tests.conftest import count_shown
from tests.factories import make_featured_campaign, make_signature, signing_form

pytestmark = pytest.mark.django_db

SIGN = reverse("pledges:sign")
THANKS = reverse("pledges:thanks")


def test_sign_form_has_the_letters_fields(client, campaign):
    page = client.get(SIGN).content.decode()

    for field in ["name", "email", "country", "industry", "comment", "show_name"]:
        assert f'name="{field}"' in page
    assert '<label for="id_email">' in page
    assert "checked" not in page  # consent to show one's name starts unticked


def test_a_valid_signature_is_stored_and_redirects_to_thanks(client, campaign):
    response = client.post(SIGN, signing_form(email="  Ana@Example.org ", comment="Fuerza"))

    assert response.status_code == 302
    assert response.url == THANKS
    signature = Signature.objects.get()
    assert signature.campaign == campaign
    assert signature.confirmed_at is None  # counts once confirmed
    assert (signature.name, signature.email, signature.country.code, signature.industry) == (
        "Ana Lucía Pérez",
        "Ana@example.org",  # the mailbox as typed; the domain in lower case
        "MX",
        "agriculture",
    )
    assert signature.email_canonical == "ana@example.org"
    assert signature.comment == "Fuerza"
    assert signature.status == Signature.Status.PENDING
    assert signature.created_at is not None


def test_a_signature_stored_by_hand_holds_the_models_defaults_in_every_column_it_leaves(
    client, campaign
):
    client.post(SIGN, signing_form(email="defaults@example.org"))

    stored = Signature.objects.get()
    made_by_the_model = Signature(campaign=campaign)
    left_to_defaults = [
        "status",
        "confirmed_at",
        "moderated_at",
        "emails_sent",
        "emails_window_started_at",
        "anonymised_at",
        "undeliverable_at",
        "updates_consent_version",
        "updates_consented_at",
        "unsubscribed_at",
        "is_featured",
        "is_founding_signer",
        "quote",
        "log_index",
    ]
    for name in left_to_defaults:
        assert getattr(stored, name) == getattr(made_by_the_model, name), name
    assert stored.public_id != Submission.objects.get().key  # each made for its row
    assert (stored.show_name, stored.wants_updates, stored.source_pending) == (False, False, True)


def test_a_column_made_anew_for_each_row_cannot_be_left_to_a_default_prepared_once():
    every_column_but_its_random_id = frozenset(
        field.attname
        for field in Signature._meta.concrete_fields
        if field.name not in {"id", "public_id"}
    )

    with pytest.raises(ImproperlyConfigured, match=r"Signature\.public_id takes a value made"):
        _prepared_defaults(Signature, every_column_but_its_random_id, connection.vendor)


def test_name_is_private_unless_the_box_is_ticked(client, campaign):
    client.post(SIGN, signing_form(email="private@example.org"))
    client.post(SIGN, signing_form(email="public@example.org", show_name="on"))

    # What the form asked, kept until the mailbox's owner confirms it.
    asked = {s.signature.email: s.show_name for s in Submission.objects.select_related("signature")}
    assert asked == {"private@example.org": False, "public@example.org": True}
    # Nothing is public before then, whatever was asked.
    assert not Signature.objects.filter(show_name=True).exists()


def test_thanks_page_asks_to_share_and_to_donate(client, campaign):
    page = client.get(THANKS).content.decode()

    assert "Ask others to join you" in page
    assert "https://x.com/intent/post?text=" in page
    assert "%23TIMESUP" in page  # the hashtag travels with the share link
    assert campaign.donation_url in page
    assert campaign.donation_label in page


def test_signing_again_with_the_same_email_answers_like_a_first_signature(client, campaign):
    first = client.post(SIGN, signing_form(email="ana@example.org"), follow=True)
    again = client.post(
        SIGN, signing_form(name="Someone else", email=" ANA@example.ORG"), follow=True
    )

    assert again.redirect_chain == first.redirect_chain == [(THANKS, 302)]
    # The same page, but for the address this browser typed, which it shows.
    assert again.content.replace(b"ANA@example.ORG", b"ana@example.org") == first.content
    assert Signature.objects.count() == 1
    assert Signature.objects.get().name == "Ana Lucía Pérez"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter your name."),
        ("name", "   ", "Enter your name."),
        ("email", "", "Enter your email address."),
        ("email", "not-an-email", "Enter your email address as name@example.org."),
        ("email", "ana@", "Enter your email address as name@example.org."),
        ("email", "a" * 250 + "@example.org", "254 characters at most"),
        ("name", "A" * 101, "shorten your name to 100 characters"),
        ("comment", "x" * 501, "shorten your comment to 500 characters"),
        ("country", "", "Choose your country."),
        ("country", "XX", "Choose your country from the list."),
        ("country", "Narnia", "Choose your country from the list."),
        ("industry", "astrology", "Choose where you work from the list."),
        ("name", "Ana\x07Bell", "invisible control characters"),
        ("name", "Ana\u202eLLEB", "invisible control characters"),
        ("name", "Ana\x00", "Null characters are not allowed."),
        ("comment", "Hello\x1b[31m", "invisible control characters"),
        # Names nobody can read on the wall, or that are not names.
        ("name", "\u200b\u200b", "remove the invisible characters"),
        ("name", "Ev\u200fe", "remove the invisible characters"),
        ("name", "A\u061cB", "remove the invisible characters"),
        ("name", "Ana\U000e0041\U000e0042", "remove the invisible characters"),
        ("name", "\u200dAna", "remove the invisible characters"),
        ("name", "Ana\u2028Bell", "plain spaces"),
        ("name", "Ana\u00a0Bell", "plain spaces"),
        ("name", "\u0301\u0308\u0301", "in letters"),
        ("name", "12345", "in letters"),
        ("name", "http://example.org/win", "contain links"),
        ("name", "www.example.org", "contain links"),
        ("name", "Ana from bestprizes.com", "contain links"),
        # Host names under any public suffix, not a fixed list (issue 20, item 6).
        ("name", "Buy pills at pharma.shop now", "contain links"),
        ("name", "cheap.example.co.uk", "contain links"),
        # Blank letters show nothing on the wall (item 8).
        ("name", "\u3164\u3164\u3164", "remove the invisible characters"),
        ("name", "Ana \u3164", "remove the invisible characters"),
        # A comment follows the name's rule of readability (item 8).
        ("comment", "Hidden\u200bword", "invisible characters from your comment"),
        ("comment", "\u200fright to left", "invisible characters from your comment"),
        ("comment", "word\u2060joiner", "invisible characters from your comment"),
        ("comment", "\ufeffbyte order", "invisible characters from your comment"),
        ("comment", "\u061carabic mark", "invisible characters from your comment"),
        ("comment", "tags\U000e0041\U000e0042", "invisible characters from your comment"),
        ("comment", "\u3164\u3164", "invisible characters from your comment"),
        ("comment", "para\u2029graph", "spaces and line breaks"),
        # One mailbox, one spelling (item 2).
        ("email", '"gina"@example.org', "without quotation marks"),
        ("email", '"\\gina"@example.org', "without quotation marks"),
        ("email", '"g\\ina"@example.org', "without quotation marks"),
        ("email", '"\x01frank"@example.org', "invisible control characters"),
    ],
)
def test_bad_input_returns_the_form_with_a_message_next_to_the_field(
    client, campaign, field, value, message
):
    response = client.post(SIGN, signing_form(**{field: value}))

    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page  # the error sits with its field
    assert 'aria-invalid="true"' in page
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    "name",
    [
        "Ana Lucía Pérez",
        "J.R.R. Tolkien",
        "Dr.Smith",
        "李小龙",
        "Nguyễn Thị Minh Khai",
        "\u0632\u0647\u0631\u0627\u200c\u0633\u0627\u062f\u0627\u062a",  # Persian, with a joiner
        "O'Brien-Ó Súilleabháin",
        "Zoë\u0301",  # a letter with a combining accent
        "J. Li",  # initials are not a host name
        "Mary.Ann O'Neil",
    ],
)
def test_names_people_write_are_taken(client, campaign, name):
    response = client.post(SIGN, signing_form(name=name))

    assert response.status_code == 302
    assert Signature.objects.get().name == name


def test_an_empty_post_brings_the_form_back_with_every_required_field_marked(client, campaign):
    response = client.post(SIGN, {})

    assert response.status_code == 200
    # Where one works may be left unsaid ("Prefer not to say"): not marked.
    assert set(response.context["form"].errors) == {"name", "email", "country"}
    assert Signature.objects.count() == 0


def test_bad_input_keeps_what_the_visitor_typed(client, campaign):
    response = client.post(
        SIGN, signing_form(email="not-an-email", name="Ana Lucía", comment="Mi comentario")
    )

    page = response.content.decode()
    assert 'value="Ana Lucía"' in page
    assert 'value="not-an-email"' in page
    assert "Mi comentario" in page
    assert '<option value="MX" selected>' in page


def test_line_breaks_are_allowed_in_a_comment(client, campaign):
    client.post(SIGN, signing_form(comment="Line one\r\nLine two\tend"))

    assert Signature.objects.get().comment == "Line one\r\nLine two\tend"


@pytest.mark.parametrize(
    "comment",
    [
        "Solidarité\u00a0!",  # French puts a no-break space before its punctuation
        "連帯\u3000します",  # and Japanese an ideographic space between words
        "\U0001f469\u200d\U0001f469\u200d\U0001f467 together",  # an emoji joined by ZWJ
        "\U0001f49c",
        "\u0632\u0647\u0631\u0627\u200c\u0633\u0627\u062f\u0627\u062a",
    ],
)
def test_comments_people_write_are_taken(client, campaign, comment):
    response = client.post(SIGN, signing_form(comment=comment))

    assert response.status_code == 302
    assert Signature.objects.get().comment == comment


def test_what_a_signer_typed_is_escaped_when_the_form_comes_back(client, campaign):
    response = client.post(SIGN, signing_form(name='"><script>alert(1)</script>', email="bad"))

    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&quot;&gt;&lt;script&gt;" in page


def test_a_closed_campaign_refuses_new_signatures_with_a_message(client):
    make_featured_campaign(signing_open=False)

    get = client.get(SIGN)
    post = client.post(SIGN, signing_form())

    assert "Signing is closed" in get.content.decode()
    assert 'name="email"' not in get.content.decode()
    assert post.status_code == 403
    assert "no longer takes new signatures" in post.content.decode()
    assert Signature.objects.count() == 0


def test_a_closed_letters_signing_page_shows_its_final_count(client):
    campaign = make_featured_campaign()
    make_signature(campaign)
    make_signature(campaign)
    type(campaign).objects.filter(pk=campaign.pk).close_signing()

    assert count_shown(client.get(SIGN)) == 2


def test_signing_goes_to_the_featured_campaign_only(client, campaign):
    from tests.factories import make_campaign

    make_campaign()

    client.post(SIGN, signing_form())

    assert Signature.objects.get().campaign == campaign


def test_sign_page_shows_the_count_of_confirmed_signatures(client, campaign):
    make_signature(campaign)
    client.post(SIGN, signing_form())  # not confirmed yet: not counted

    response = client.get(SIGN)

    assert count_shown(response) == 1
    assert '<strong class="count-number">1</strong>' in response.content.decode()


def test_other_methods_are_refused(client, campaign):
    assert client.put(SIGN).status_code == 405


def test_head_on_the_signing_page_answers_like_get(client, campaign):
    head, get = client.head(SIGN), client.get(SIGN)

    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]
    assert head.content == b""

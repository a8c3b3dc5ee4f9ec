"""Several letters at once: each its own pages, count and form; drafts unseen."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils.formats import date_format

from campaign.models import Campaign
from pledges.models import Signature
from tests.conftest import count_shown
from tests.factories import make_campaign, make_signature, signing_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def farmworkers(campaign):
    """A second letter, beside the featured one."""
    return make_campaign(
        slug="farmworkers", title="Alianza Nacional de Campesinas", signature_goal=500
    )


LETTER_PAGES = ["campaign:home", "pledges:sign", "pledges:thanks", "pledges:wall", "pledges:stats"]


def test_a_letter_has_its_address_under_the_language(farmworkers):
    assert farmworkers.get_absolute_url() == "/en/letters/farmworkers/"
    assert farmworkers.page_url("pledges:sign") == "/en/letters/farmworkers/sign/"
    assert farmworkers.page_url("pledges:stats") == "/en/letters/farmworkers/stats/"


@pytest.mark.parametrize("page", LETTER_PAGES)
def test_each_page_of_a_letter_shows_that_letter_and_its_own_count(
    client, campaign, farmworkers, page
):
    make_signature(campaign)
    make_signature(campaign)
    make_signature(farmworkers)

    response = client.get(farmworkers.page_url(page))

    assert response.status_code == 200
    assert response.context["campaign"] == farmworkers
    if page == "pledges:stats":
        assert "1 confirmed signature," in response.content.decode()
    else:
        assert count_shown(response) == 1
    assert "Alianza Nacional de Campesinas" in response.content.decode()


@pytest.mark.parametrize("page", LETTER_PAGES)
def test_the_featured_letter_keeps_its_short_addresses_and_has_the_long_one_too(
    client, campaign, page
):
    short = client.get(reverse(page))
    long = client.get(reverse(page, kwargs={"slug": campaign.slug}))

    assert short.status_code == long.status_code == 200
    assert short.context["campaign"] == long.context["campaign"] == campaign


def test_the_links_on_a_letters_pages_lead_to_that_letters_pages(client, campaign, farmworkers):
    page = client.get(farmworkers.page_url()).content.decode()

    assert 'action="/en/letters/farmworkers/sign/"' in page  # its form, on its page
    assert 'href="/en/letters/farmworkers/signatures/"' in page
    assert 'href="/en/letters/farmworkers/stats/"' in page
    assert "/en/sign/" not in page  # not the featured letter's form
    # Shared, the link opens this letter's page, where it is signed.
    assert "https%3A//testserver/en/letters/farmworkers/" in page
    assert "https%3A//testserver/en/letters/farmworkers/sign/" not in page


def test_signing_a_second_letter_stores_a_signature_of_that_letter(client, campaign, farmworkers):
    response = client.post(
        farmworkers.page_url("pledges:sign"), signing_form(email="ana@example.org")
    )

    assert response.status_code == 302
    assert response.url == "/en/letters/farmworkers/sign/thanks/"
    assert Signature.objects.get().campaign == farmworkers


def test_one_address_may_sign_two_letters_and_each_count_is_its_own(client, campaign, farmworkers):
    client.post(campaign.page_url("pledges:sign"), signing_form(email="ana@example.org"))
    client.post(farmworkers.page_url("pledges:sign"), signing_form(email="Ana@Example.org"))
    client.post(farmworkers.page_url("pledges:sign"), signing_form(email="ana@example.org"))

    assert Signature.objects.filter(campaign=campaign).count() == 1
    assert Signature.objects.filter(campaign=farmworkers).count() == 1
    Signature.objects.get(campaign=farmworkers).confirm()
    campaign.refresh_from_db()
    farmworkers.refresh_from_db()
    assert (campaign.signature_count(), farmworkers.signature_count()) == (0, 1)


def test_a_closed_letter_refuses_signatures_on_its_own_form(client, campaign, farmworkers):
    Campaign.objects.filter(pk=farmworkers.pk).close_signing()

    response = client.post(farmworkers.page_url("pledges:sign"), signing_form())

    assert response.status_code == 403
    assert not Signature.objects.exists()
    assert client.post(campaign.page_url("pledges:sign"), signing_form()).status_code == 302


def test_an_unknown_letter_is_not_found(client, campaign):
    assert client.get("/en/letters/nope/").status_code == 404
    assert client.post("/en/letters/nope/sign/", signing_form()).status_code == 404


# Drafts


@pytest.fixture
def draft(campaign):
    return make_campaign(slug="next-letter", title="The next letter", published_at=None)


@pytest.mark.parametrize("page", LETTER_PAGES)
def test_a_draft_has_no_public_page(client, draft, page):
    assert client.get(reverse(page, kwargs={"slug": draft.slug})).status_code == 404


def test_a_draft_cannot_be_signed(client, draft):
    response = client.post("/en/letters/next-letter/sign/", signing_form())

    assert response.status_code == 404
    assert not Signature.objects.exists()


def test_a_draft_is_in_no_api_widget_or_list(client, draft):
    assert client.get(f"/api/campaigns/{draft.slug}/").status_code == 404
    assert client.get(f"/embed/{draft.slug}/").status_code == 404
    assert "The next letter" not in client.get(reverse("campaign:letters")).content.decode()


def test_a_new_letter_written_in_the_admin_is_a_draft(admin_client, campaign):
    response = admin_client.post(
        reverse("admin:campaign_campaign_add"),
        {
            "title": "The next letter",
            "slug": "next-letter",
            "statement": "A statement.",
            "letter_text": "A letter.",
            "signature_goal": "100",
            "signing_open": "on",
        },
    )

    assert response.status_code == 302
    assert Campaign.objects.get(slug="next-letter").is_draft


def test_staff_preview_a_draft_as_visitors_will_see_it(admin_client, draft):
    response = admin_client.get(reverse("campaign:preview", args=[draft.slug]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "The next letter" in page
    assert "Preview of a draft" in page
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-cache" in response["Cache-Control"]


def test_a_visitor_cannot_preview_a_draft(client, draft):
    response = client.get(reverse("campaign:preview", args=[draft.slug]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_without_the_campaign_permission_cannot_preview(client, draft):
    client.force_login(User.objects.create_user("moderator", is_staff=True))

    assert client.get(reverse("campaign:preview", args=[draft.slug])).status_code == 302


def test_publishing_a_draft_gives_it_its_page(admin_client, client, draft):
    admin_client.post(
        reverse("admin:campaign_campaign_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )

    draft.refresh_from_db()
    assert not draft.is_draft
    assert client.get("/en/letters/next-letter/").status_code == 200


def test_a_draft_cannot_be_featured(admin_client, draft):
    response = admin_client.post(
        reverse("admin:campaign_campaign_changelist"),
        {"action": "feature", "_selected_action": [draft.pk]},
        follow=True,
    )

    assert "Publish the letter before featuring it." in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_featured


def test_the_admin_s_view_on_site_previews_a_draft(admin_client, draft):
    page = admin_client.get(reverse("admin:campaign_campaign_change", args=[draft.pk]))

    assert reverse("campaign:preview", args=[draft.slug]) in page.content.decode()


# The letters page


def test_the_letters_page_lists_open_letters_then_closed_ones_with_final_counts(
    client, campaign, farmworkers, draft
):
    earlier = make_campaign(slug="hollywood", title="The Hollywood letter")
    make_signature(earlier)
    make_signature(earlier)
    Campaign.objects.filter(pk=earlier.pk).close_signing()

    response = client.get(reverse("campaign:letters"))
    page = response.content.decode()

    assert [c.slug for c in response.context["open_letters"]] == ["farmworkers", campaign.slug]
    assert [c.slug for c in response.context["closed_letters"]] == ["hollywood"]
    assert page.index("Alianza Nacional") < page.index("Closed") < page.index("Hollywood")
    earlier.refresh_from_db()
    assert f"Closed on {date_format(earlier.closed_at, 'DATE_FORMAT')} with 2 signatures" in page
    assert "The next letter" not in page  # a draft
    assert 'href="/en/letters/hollywood/"' in page
    assert 'href="/en/"' in page  # the featured letter, at its short address


def test_every_page_links_to_the_letters_page(client, campaign):
    assert 'href="/en/letters/"' in client.get(reverse("campaign:home")).content.decode()


def test_the_letters_page_is_in_spanish_too(client, campaign):
    assert "Cartas" in client.get("/es/letters/").content.decode()


def test_a_staff_member_with_the_campaign_permission_may_preview(client, draft):
    user = User.objects.create_user("writer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_campaign"))
    client.force_login(user)

    assert client.get(reverse("campaign:preview", args=[draft.slug])).status_code == 200

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pledges.models import Signature
from tests.conftest import count_shown
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db

WALL = reverse("pledges:wall")


def test_wall_shows_names_only_of_those_who_agreed(client, campaign):
    make_signature(
        campaign, name="Public Person", show_name=True, country="FR", industry="agriculture"
    )
    make_signature(campaign, name="Private Person", show_name=False)

    page = client.get(WALL).content.decode()

    assert "Public Person" in page
    assert "Agriculture and farm work · France" in page
    assert "Private Person" not in page
    assert "A signer" in page


def test_wall_never_shows_an_email_address(client, campaign):
    make_signature(campaign, email="secret.signer@example.org", show_name=True)

    page = client.get(WALL).content.decode()

    assert "secret.signer" not in page
    assert "@example.org" not in page


def test_comments_show_only_once_staff_approved_them(client, campaign):
    make_signature(campaign, comment="Approved words", status=Signature.Status.APPROVED)
    make_signature(campaign, comment="Unread words", status=Signature.Status.PENDING)

    page = client.get(WALL).content.decode()

    assert "Approved words" in page
    assert "Unread words" not in page


def test_hidden_and_spam_signatures_leave_the_wall(client, campaign):
    make_signature(campaign, name="Kept")
    make_signature(campaign, name="Hidden one", status=Signature.Status.HIDDEN)
    make_signature(campaign, name="Spammer", status=Signature.Status.SPAM)

    response = client.get(WALL)
    page = response.content.decode()

    assert "Kept" in page
    assert "Hidden one" not in page
    assert "Spammer" not in page
    assert count_shown(response) == 1


def test_wall_shows_only_the_featured_campaigns_signatures(client, campaign):
    make_signature(make_campaign(), name="Elsewhere")

    assert "Elsewhere" not in client.get(WALL).content.decode()


def test_wall_is_newest_first(client, campaign):
    now = timezone.now()
    make_signature(campaign, name="Oldest", created_at=now - timedelta(days=2))
    make_signature(campaign, name="Newest", created_at=now)
    make_signature(campaign, name="Middle", created_at=now - timedelta(days=1))

    names = [s.name for s in client.get(WALL).context["signatures"]]

    assert names == ["Newest", "Middle", "Oldest"]


def test_wall_pages_through_every_signature_once(client, campaign, settings):
    settings.WALL_PAGE_SIZE = 3
    same_instant = timezone.now()  # ties on time are ordered by id, never lost
    for n in range(7):
        make_signature(campaign, name=f"Signer {n}", created_at=same_instant)

    seen, url = [], WALL
    while url:
        response = client.get(url)
        seen += [s.name for s in response.context["signatures"]]
        cursor = response.context["next_cursor"]
        url = f"{WALL}?after={cursor}" if cursor else None

    assert seen == [f"Signer {n}" for n in reversed(range(7))]


def test_wall_links_to_the_next_page_only_when_there_is_one(client, campaign, settings):
    settings.WALL_PAGE_SIZE = 2
    for _ in range(2):
        make_signature(campaign)

    page = client.get(WALL).content.decode()

    assert 'rel="next"' not in page


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        "1.",
        ".1",
        "-5.3",
        "99999999999999999.1",
        "1.99999999999999999999",
        "\uff11\uff12.\uff13",
        "<script>",
    ],
)
def test_a_mangled_page_cursor_shows_the_first_page(client, campaign, cursor):
    make_signature(campaign, name="Still here")

    response = client.get(WALL, {"after": cursor})

    assert response.status_code == 200
    assert "Still here" in response.content.decode()


def test_names_and_comments_are_escaped_on_the_wall(client, campaign):
    make_signature(
        campaign,
        name="<script>alert('name')</script>",
        comment="<img src=x onerror=alert(1)>",
        status=Signature.Status.APPROVED,
    )

    page = client.get(WALL).content.decode()

    assert "<script>alert('name')</script>" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_a_wall_cursor_tells_nothing_of_how_many_rows_there_are(client, campaign, settings):
    # Issue 20, item 8: the row id counts unconfirmed signatures too.
    settings.WALL_PAGE_SIZE = 2
    signatures = [make_signature(campaign) for _ in range(3)]

    cursor = client.get(WALL).context["next_cursor"]

    assert re.fullmatch(r"\d+\.[0-9a-f]{32}", cursor)
    assert cursor.split(".")[1] == signatures[1].public_id.hex
    assert [s.pk for s in client.get(WALL, {"after": cursor}).context["signatures"]] == [
        signatures[0].pk
    ]

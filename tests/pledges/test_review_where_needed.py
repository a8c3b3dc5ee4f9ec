"""Review is for what needs it: a comment. A signature without one is
approved as it counts; the admin's index says how many comments wait."""

import pytest
from django.urls import reverse

from pledges.models import Signature
from tests.factories import make_signature

pytestmark = pytest.mark.django_db


def confirmed(signature):
    signature.confirm()
    signature.refresh_from_db()
    return signature


def test_a_signature_without_a_comment_needs_no_review(campaign):
    signature = confirmed(make_signature(campaign, confirmed_at=None, comment=""))

    assert signature.status == Signature.Status.APPROVED
    assert signature not in Signature.objects.awaiting_review()


def test_a_signature_with_a_comment_awaits_review(campaign):
    signature = confirmed(make_signature(campaign, confirmed_at=None, comment="Time's up."))

    assert signature.status == Signature.Status.PENDING
    assert list(Signature.objects.awaiting_review()) == [signature]


def test_staffs_verdict_on_a_signature_stands_when_it_is_confirmed(campaign):
    signature = make_signature(
        campaign, confirmed_at=None, comment="", status=Signature.Status.SPAM
    )

    assert confirmed(signature).status == Signature.Status.SPAM


def test_the_admin_index_says_how_many_comments_wait(admin_client, campaign):
    make_signature(campaign, comment="One")
    make_signature(campaign, comment="Two")
    make_signature(campaign, comment="", status=Signature.Status.APPROVED)

    page = admin_client.get(reverse("admin:index")).content.decode()

    assert "2 comments await review" in page
    assert reverse("admin:pledges_commenttoreview_changelist") in page

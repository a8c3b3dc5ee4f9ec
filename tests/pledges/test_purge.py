"""`manage.py hourly_upkeep`: unconfirmed signatures expire; closed campaigns' are anonymised."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from pledges.models import RateLimitCounter, Signature
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def purge():
    call_command("hourly_upkeep", stdout=io.StringIO())


def test_unconfirmed_signatures_older_than_the_expiry_are_deleted(settings):
    settings.CONFIRMATION_DAYS = 7
    campaign = make_campaign()
    now = timezone.now()
    old = make_signature(campaign, confirmed_at=None, created_at=now - 8 * DAY)
    recent = make_signature(campaign, confirmed_at=None, created_at=now - 6 * DAY)
    confirmed = make_signature(campaign, created_at=now - 30 * DAY)

    purge()

    remaining = set(Signature.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, confirmed.pk}
    assert old.pk not in remaining


def test_signatures_of_a_long_closed_campaign_are_anonymised_and_still_counted(settings):
    settings.RETENTION_DAYS_AFTER_CLOSE = 90
    closed = make_campaign(signing_open=False)
    closed.closed_at = timezone.now() - 91 * DAY
    closed.save(update_fields=["closed_at"])
    for n in range(3):
        make_signature(
            closed,
            name=f"Person {n}",
            comment="words",
            ip_hash="ab" * 32,
            is_featured=True,
            quote="Their own words",
        )

    purge()

    assert closed.signature_count() == 3
    for signature in Signature.objects.all():
        assert signature.name == ""
        assert signature.comment == ""
        assert signature.ip_hash == ""
        assert not signature.show_name
        assert (signature.is_featured, signature.quote) == (False, "")
        assert signature.email == f"anonymised-{signature.pk}@anonymised.invalid"
        assert signature.anonymised_at is not None


def test_recently_closed_and_open_campaigns_keep_their_signatures(settings):
    settings.RETENTION_DAYS_AFTER_CLOSE = 90
    recently_closed = make_campaign(signing_open=False)
    kept_closed = make_signature(recently_closed, name="Kept")
    kept_open = make_signature(make_campaign(), name="Open")

    purge()

    kept_closed.refresh_from_db()
    kept_open.refresh_from_db()
    assert (kept_closed.name, kept_open.name) == ("Kept", "Open")


def test_closing_a_campaign_starts_the_retention_clock():
    campaign = make_campaign()
    assert campaign.closed_at is None

    campaign.signing_open = False
    campaign.save()

    assert campaign.closed_at is not None


def test_purge_drops_expired_rate_limit_counters():
    now = timezone.now()
    RateLimitCounter.objects.create(key="old", hits=3, expires_at=now - timedelta(hours=2))
    RateLimitCounter.objects.create(key="current", hits=3, expires_at=now + timedelta(hours=1))

    purge()

    assert list(RateLimitCounter.objects.values_list("key", flat=True)) == ["current"]


def test_purge_drops_the_counters_the_rate_limiter_wrote_once_they_expire(settings):
    from pledges import throttle

    throttle.spend_signing_budget("client-hash")
    assert RateLimitCounter.objects.count() == 1
    counter = RateLimitCounter.objects.get()
    window = timedelta(seconds=throttle.WINDOW_SECONDS)
    assert timezone.now() < counter.expires_at <= timezone.now() + window
    # Stored in the form the ORM compares with (SQLite compares text).
    assert RateLimitCounter.objects.filter(expires_at__lt=timezone.now() + window).exists()
    RateLimitCounter.objects.update(expires_at=timezone.now() - timedelta(hours=1))

    purge()

    assert RateLimitCounter.objects.count() == 0


def test_running_it_twice_is_harmless(settings):
    settings.RETENTION_DAYS_AFTER_CLOSE = 0
    closed = make_campaign(signing_open=False)
    closed.closed_at = timezone.now() - DAY
    closed.save(update_fields=["closed_at"])
    make_signature(closed)

    purge()
    purge()

    assert closed.signature_count() == 1

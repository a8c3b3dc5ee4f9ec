"""A refused signature spends nothing of its network's budget, in the
database and in Redis alike, so that each confirmation makes room for one
more however often the refused tried (issue 20, item 4); and a request whose
client address is unknown never has an unlimited budget (item 7)."""

import pytest
import redis
from django.urls import reverse

from pledges import throttle, tokens
from pledges.models import Signature
from tests.conftest import confirm_as_shown
from tests.factories import signing_form

pytestmark = pytest.mark.django_db

SIGN = reverse("pledges:sign")
OFFICE = "198.51.100.20"
REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture(params=["database", "redis"])
def budgets(request, settings):
    """Budgets kept where the parameter says: the site's database, or the real Redis."""
    if request.param == "redis":
        redis.Redis.from_url(REDIS_URL).flushdb()
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
            },
        }
    throttle._redis.cache_clear()
    throttle._spend_script.cache_clear()
    assert throttle.counts_in_database() == (request.param == "database")
    yield request.param
    throttle._redis.cache_clear()
    throttle._spend_script.cache_clear()


def sign_from_office(client, email):
    return client.post(SIGN, signing_form(email=email), REMOTE_ADDR=OFFICE).status_code


def test_refusals_spend_nothing_so_each_confirmation_makes_room(
    client, campaign, settings, budgets
):
    settings.SIGNING_RATE_LIMIT = 2
    assert sign_from_office(client, "one@example.org") == 302
    assert sign_from_office(client, "two@example.org") == 302
    # The office keeps trying while it waits: each one refused.
    for n in range(10):
        assert sign_from_office(client, f"waiting{n}@example.org") == 429

    first = Signature.objects.get(email="one@example.org")
    confirm_as_shown(client, reverse("pledges:confirm", args=[tokens.confirmation_token(first)]))

    assert sign_from_office(client, "three@example.org") == 302
    assert sign_from_office(client, "four@example.org") == 429
    assert Signature.objects.count() == 3


def test_clients_with_no_address_share_one_budget(settings, budgets):
    settings.SIGNING_RATE_LIMIT = 3
    for _ in range(3):
        throttle.spend_signing_budget("")

    with pytest.raises(throttle.RateLimited):
        throttle.spend_signing_budget("")

"""How often one network may sign: a budget per client address, per hour.

Each signing form a client sends spends one unit of its budget for the hour
(SIGNING_RATE_LIMIT), whatever the address in it: new, waiting for its
confirmation, or confirmed. The refusal therefore never depends on who has
signed. Each confirmation gives its unit back: an office, a campus or a
mobile carrier's shared address can bring in any number of people who confirm
their signatures, while a script pushing addresses nobody confirms is stopped
after SIGNING_RATE_LIMIT of them.

Budgets are shared by every gunicorn worker and host: counted in Redis when
CACHE_URL points there, otherwise in the database. A per-process memory cache
would multiply each limit by the number of workers.
"""

import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.utils import timezone

from pledges.models import RateLimitCounter

WINDOW_SECONDS = 3600


class RateLimited(Exception):
    """The client's budget for this hour is spent."""

    def __init__(self, retry_after):
        super().__init__(retry_after)
        self.retry_after = retry_after  # seconds until the next window opens


def spend_signing_budget(client, now=None):
    """Spend one unit of `client`'s (an IP hash) budget; raise RateLimited once
    SIGNING_RATE_LIMIT units are out in the current hour."""
    if not client:
        return
    now = time.time() if now is None else now
    window_start = _window_start(now)
    hits = _add(_key(client, window_start), +1, window_start + WINDOW_SECONDS)
    if hits > settings.SIGNING_RATE_LIMIT:
        raise RateLimited(retry_after=max(1, int(window_start + WINDOW_SECONDS - now)))


def give_back(client, signed_at):
    """A signature `client` sent at `signed_at` was confirmed: its unit comes back,
    if it was spent in the hour that is still running."""
    window_start = _window_start(signed_at.timestamp())
    if client and window_start == _window_start(time.time()):
        _add(_key(client, window_start), -1, window_start + WINDOW_SECONDS)


def _window_start(timestamp):
    return int(timestamp // WINDOW_SECONDS * WINDOW_SECONDS)


def _key(client, window_start):
    return f"ratelimit:sign:{client}:{window_start}"


def _add(key, delta, expires_at_timestamp):
    if isinstance(caches["default"], RedisCache):
        return _add_in_cache(key, delta)
    return _add_in_database(key, delta, expires_at_timestamp)


def _add_in_cache(key, delta):
    # add() creates the key only if absent; incr() is Redis's atomic INCRBY.
    cache = caches["default"]
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    return cache.incr(key, delta)


def _add_in_database(key, delta, expires_at_timestamp):
    # One statement, atomic on both databases (PostgreSQL, and SQLite since
    # 3.35): insert the counter, or add to it, and read it back. A unit is only
    # given back for one spent in the same window, so it never goes below 0.
    expires_at = datetime.fromtimestamp(expires_at_timestamp, tz=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO pledges_ratelimitcounter (key, hits, expires_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET hits = pledges_ratelimitcounter.hits + %s "
            "RETURNING hits",
            [key, max(delta, 0), connection.ops.adapt_datetimefield_value(expires_at), delta],
        )
        return cursor.fetchone()[0]


def purge_expired_counters():
    cutoff = timezone.now() - timedelta(minutes=5)
    return RateLimitCounter.objects.filter(expires_at__lt=cutoff).delete()[0]

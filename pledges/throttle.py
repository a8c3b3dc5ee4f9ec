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

import functools
import time
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.db.models import F
from django.utils import timezone

from pledges.models import RateLimitCounter

WINDOW_SECONDS = 3600


class RateLimited(Exception):
    """The client's budget for this hour is spent."""

    def __init__(self, retry_after):
        super().__init__(retry_after)
        self.retry_after = retry_after  # seconds until the next window opens


# Requests whose client address is unknown (an empty REMOTE_ADDR: a unix
# socket with no proxy named) share one budget: never an unlimited one.
UNKNOWN_CLIENT = "unknown-client"


def spend_signing_budget(client, now=None):
    """Spend one unit of `client`'s (an IP hash) budget; raise RateLimited, with
    nothing spent, once SIGNING_RATE_LIMIT units are out in the current hour.

    A refusal spends nothing on either backend, so that each confirmation
    makes room for one more signature however often the refused tried."""
    now = time.time() if now is None else now
    window_start = _window_start(now)
    key = _key(client or UNKNOWN_CLIENT, window_start)
    limit = settings.SIGNING_RATE_LIMIT
    if _uses_redis():
        within = _spend_in_redis(key, limit)
    else:
        # Counted, then undone with the caller's transaction (sign_letter's)
        # when over the limit: the exception rolls it back.
        within = _spend_in_database(key, window_start + WINDOW_SECONDS) <= limit
    if not within:
        raise RateLimited(retry_after=max(1, int(window_start + WINDOW_SECONDS - now)))


def give_back(client, signed_at):
    """A signature `client` sent at `signed_at` was confirmed: its unit comes back,
    if it was spent in the hour that is still running (never below nothing)."""
    window_start = _window_start(signed_at.timestamp())
    if window_start != _window_start(time.time()):
        return
    key = _key(client or UNKNOWN_CLIENT, window_start)
    if _uses_redis():
        _redis().eval(_GIVE_BACK, 1, key)
    else:
        RateLimitCounter.objects.filter(key=key, hits__gt=0).update(hits=F("hits") - 1)


def _window_start(timestamp):
    return int(timestamp // WINDOW_SECONDS * WINDOW_SECONDS)


def _key(client, window_start):
    return f"ratelimit:sign:{client}:{window_start}"


def counts_in_database():
    """Whether budgets are rows of the site's database (no Redis in CACHE_URL)."""
    return not _uses_redis()


def _uses_redis():
    return isinstance(caches["default"], RedisCache)


@functools.cache
def _redis():
    """A client of the Redis that CACHE_URL names, for the budgets: one round trip
    a signature (Django's cache API would take two, an add() and an incr())."""
    return redis.Redis.from_url(
        settings.CACHES["default"]["LOCATION"], socket_connect_timeout=2, socket_timeout=2
    )


# Atomic on the Redis server, one round trip: one more unit, unless the
# limit is reached (then nothing changes); the first of the window sets when
# the key expires. 1 if spent, 0 if refused.
_SPEND = """
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
if hits >= tonumber(ARGV[1]) then return 0 end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 1
"""


@functools.cache
def _spend_script():
    return _redis().register_script(_SPEND)


def _spend_in_redis(key, limit):
    """Whether a unit was spent (False: the limit was reached, nothing spent)."""
    return bool(_spend_script()(keys=[key], args=[limit, WINDOW_SECONDS + 60]))


# Atomic on the Redis server: take one off, but never below nothing, and create
# no counter (a give-back after the counter expired is for a window gone by).
_GIVE_BACK = """
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
if hits > 0 then return redis.call('DECR', KEYS[1]) end
return 0
"""


def _spend_in_database(key, expires_at_timestamp):
    # One statement, atomic on both databases (PostgreSQL, and SQLite since
    # 3.35): insert the counter at 1, or add one to it, and read it back.
    expires_at = datetime.fromtimestamp(expires_at_timestamp, tz=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO pledges_ratelimitcounter (key, hits, expires_at) VALUES (%s, 1, %s) "
            "ON CONFLICT (key) DO UPDATE SET hits = pledges_ratelimitcounter.hits + 1 "
            "RETURNING hits",
            [key, connection.ops.adapt_datetimefield_value(expires_at)],
        )
        return cursor.fetchone()[0]


def purge_expired_counters():
    cutoff = timezone.now() - timedelta(minutes=5)
    return RateLimitCounter.objects.filter(expires_at__lt=cutoff).delete()[0]

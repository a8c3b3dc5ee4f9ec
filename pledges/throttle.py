"""Who a client is (a keyed hash of its IP address) and how often it may act.

Limits are shared by every gunicorn worker and host: counted in Redis when
CACHE_URL points there, otherwise in the database. A per-process memory cache
would multiply each limit by the number of workers.
"""

import ipaddress
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.utils import timezone
from django.utils.crypto import salted_hmac

WINDOW_SECONDS = 3600


class RateLimited(Exception):
    """The client has done this too often in the current window."""


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the
    address the outermost trusted proxy saw. Never the leftmost X-Forwarded-For
    entry, which the client writes itself."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies and _is_ip(forwarded[-proxies]):
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _is_ip(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def ip_hash(ip):
    """A keyed hash of the address, never the address itself. IPv6 clients are
    hashed by their /64 network, which one household or host usually holds whole."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if address.version == 6 and not address.ipv4_mapped:
        ip = str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    elif address.version == 6:
        ip = str(address.ipv4_mapped)
    return salted_hmac("pledges.client-ip", ip, algorithm="sha256").hexdigest()


def hit(action, client, limit, window=WINDOW_SECONDS):
    """Count one `action` by `client` (an IP hash); raise RateLimited past `limit`
    in the current fixed window."""
    if not client:
        return
    window_start = int(time.time() // window * window)
    key = f"ratelimit:{action}:{client}:{window_start}"
    if isinstance(caches["default"], RedisCache):
        hits = _hit_in_cache(key, window)
    else:
        hits = _hit_in_database(key, window_start + window)
    if hits > limit:
        raise RateLimited(action)


def _hit_in_cache(key, window):
    # add() creates the key only if absent; incr() is Redis's atomic INCR.
    cache = caches["default"]
    cache.add(key, 0, timeout=window + 60)
    return cache.incr(key)


def _hit_in_database(key, expires_at_timestamp):
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
    from pledges.models import RateLimitCounter

    cutoff = timezone.now() - timedelta(minutes=5)
    return RateLimitCounter.objects.filter(expires_at__lt=cutoff).delete()[0]

"""Who a client is: its address as the proxies in front of us saw it, and a keyed
hash of that address, which is all the site ever keeps of it."""

import ipaddress

from django.conf import settings
from django.utils.crypto import salted_hmac


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


def client_hash(request):
    """The keyed hash of the request's client address (see ip_hash)."""
    return ip_hash(client_ip(request))


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


def hashed_client_address(request):
    """The client's keyed hash written as an IPv6 address in the discard-only
    prefix 100::/64 (RFC 6666), for django-axes, which keeps login attempts
    by address in an address column: one client is one value, as before,
    and no raw address is stored."""
    digest = client_hash(request)
    if not digest:
        return None
    return str(ipaddress.IPv6Address(int("01" + "0" * 14 + digest[:16], 16)))

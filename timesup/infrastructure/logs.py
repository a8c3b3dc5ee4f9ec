"""What the logs may hold: no link token that acts on a signature, and no
client's full address.

Two kinds of secret reach log lines by the way: the token in a link from an
email (it is in the path, which Django logs with every 4xx and 5xx, and
gunicorn with every request), and the client's
address (gunicorn's access and error logs). Whoever reads a log could
withdraw a signature with the first, and match a signer's row to a person
with the second. Both logs go through
this module: Django's by `RedactSecrets` on every handler (settings.LOGGING),
gunicorn's by `GunicornLogger` (timesup/gunicorn.conf.py).

No Django import here: gunicorn's master process loads it before Django.
"""

import ipaddress
import logging
import re

from gunicorn.glogging import Logger

# A value signed by django.core.signing (every link token is one): its
# payload (base64, "." first if compressed), its timestamp and its signature,
# joined by colons. Known by its shape, wherever it stands, so that this
# module needs no list of the paths that carry one, and a link added later is
# covered too. Times ("13:45:12") and IPv6 addresses are too short to match.
_SIGNED_VALUE = re.compile(
    r"(?<![A-Za-z0-9_.-])\.?[A-Za-z0-9_-]{8,}:[A-Za-z0-9]{4,}:[A-Za-z0-9_-]{20,}"
)
_IP_IN_TEXT = re.compile(r"(\bip=)([0-9A-Fa-f:.]+)")


def redact(text):
    """`text` with every link token cut out: `/sign/withdraw/…/`."""
    return _SIGNED_VALUE.sub("…", text)


def network_of(address):
    """The network an address belongs to, not the address: 203.0.113.0 for
    203.0.113.7 (IPv4 /24), 2001:db8:1::  for 2001:db8:1:2::7 (IPv6 /48), as
    analytics tools truncate them. Enough to see a flood from one network in
    a log; not enough to name one subscriber. Anything else: "-"."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "-"
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


class RedactSecrets(logging.Filter):
    """On a handler: the record's message with link tokens cut out and any
    `ip=<address>` truncated to its network, whichever logger it came from.

    Django's request loggers also attach the request itself (`record.request`),
    which a JSON formatter would write out whole, path and all: it is replaced
    by its method and redacted path."""

    def filter(self, record):
        message = record.getMessage()
        cleaned = _IP_IN_TEXT.sub(lambda m: m.group(1) + network_of(m.group(2)), redact(message))
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            path = getattr(request, "path", "")
            record.request = f"{getattr(request, 'method', '')} {redact(path)}".strip()
        return True


class GunicornLogger(Logger):
    """gunicorn's logger: in the access log the client's network in place of
    its address (`%(h)s`) and link tokens cut out of the request line; the
    error log through RedactSecrets."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(RedactSecrets())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["h"] = network_of(atoms.get("h", ""))
        for key in ("r", "U", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms

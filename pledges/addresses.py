"""Email addresses as one person: the canonical form that duplicates are caught on."""

import re

# Providers that deliver name+anything@ to name@. Without this, one person
# could sign a hundred times as ana+1@, ana+2@, …
PLUS_TAG_PROVIDERS = {
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "fastmail.com",
    "protonmail.com",
    "proton.me",
    "pm.me",
    "yandex.com",
    "yandex.ru",
}
# Providers that ignore dots in the local part: a.n.a@ is ana@.
DOT_BLIND_PROVIDERS = {"gmail.com", "googlemail.com"}
# Domains that are one mailbox under two names.
DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}


def normalize_email(address):
    """The form an address is stored in and written to: no surrounding spaces,
    the domain in lower case, the local part as the person typed it (RFC 5321
    lets a mail server tell `Nadia.Newcomer@` from `nadia.newcomer@`, and people
    know their address the way they write it). Uniqueness is decided on the
    canonical form (canonical_email), which is lower case throughout."""
    local, at, domain = address.strip().rpartition("@")
    return f"{local}{at}{domain.lower()}" if at else address.strip()


def ascii_domain(domain):
    """The domain as DNS knows it: `bücher.example` → `xn--bcher-kva.example`
    (IDNA). One mailbox, whichever way its domain was typed. A name that is
    not valid IDNA is left as it is: the address is checked elsewhere."""
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return domain


def canonical_email(address):
    """The mailbox an address reaches, on which one signature per person is
    enforced: normalised, with its domain in IDNA form, and for providers that
    ignore them, without dots and +tags. `Ana.Perez+times@GMail.com` and
    `anaperez@gmail.com` are one person. The one function that computes it:
    everything else calls this."""
    local, _, domain = normalize_email(address).lower().rpartition("@")
    local = unquote_local_part(local)
    domain = ascii_domain(domain)
    if domain in PLUS_TAG_PROVIDERS:
        local = local.split("+", 1)[0]
    if domain in DOT_BLIND_PROVIDERS:
        local = local.replace(".", "")
    return f"{local}@{DOMAIN_ALIASES.get(domain, domain)}"


_QUOTED_PAIR = re.compile(r"\\(.)", re.DOTALL)


def unquote_local_part(local):
    """The local part as mail servers read it: `"gina"`, `"g\\ina"` and
    `gina` are one mailbox (RFC 5321 quoting and its backslash escapes).
    The signing form refuses quoted addresses; rows stored before it did
    are found by `manage.py report_shared_mailboxes`."""
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        return _QUOTED_PAIR.sub(r"\1", local[1:-1])
    return local


def domain_and_parents(domain):
    """mail.example.org → [mail.example.org, example.org]: a block on a domain covers
    its subdomains."""
    labels = domain.lower().strip(".").split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


# The big webmail providers' inboxes, by the address's domain: the thanks page
# links there (a plain link: nothing is asked of them until the person taps it).
WEBMAIL_INBOXES = {
    **dict.fromkeys(["gmail.com", "googlemail.com"], ("Gmail", "https://mail.google.com/")),
    **dict.fromkeys(
        ["outlook.com", "hotmail.com", "live.com", "msn.com", "outlook.es", "hotmail.es"],
        ("Outlook", "https://outlook.live.com/mail/"),
    ),
    **dict.fromkeys(
        ["yahoo.com", "yahoo.es", "ymail.com", "yahoo.co.uk"],
        ("Yahoo Mail", "https://mail.yahoo.com/"),
    ),
    **dict.fromkeys(
        ["icloud.com", "me.com", "mac.com"], ("iCloud Mail", "https://www.icloud.com/mail")
    ),
    **dict.fromkeys(
        ["proton.me", "protonmail.com", "pm.me"], ("Proton Mail", "https://mail.proton.me/")
    ),
    "aol.com": ("AOL Mail", "https://mail.aol.com/"),
}


def webmail_inbox(address):
    """(provider, inbox address) for an address at a big webmail provider, else None."""
    return WEBMAIL_INBOXES.get(address.rpartition("@")[2].lower())

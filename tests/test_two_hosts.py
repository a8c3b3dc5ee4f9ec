"""The site on more than one machine: two app instances behind one nginx
(round-robin, the configuration docs/deploy.md gives), sharing one
PostgreSQL and one Redis, with one task worker. Whatever instance a request
reaches, a signature is stored and emailed once, the count, the budget, a
withdrawal and a closed letter are the same on both within the pages'
freshness (PAGE_CACHE_SECONDS)."""

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager

import pytest
from django.contrib.auth.models import User
from django.db import connection

from campaign.models import Campaign
from pledges.models import Signature
from tests.conftest import ROOT, _test_database_url, serve_with_gunicorn
from tests.factories import make_featured_campaign
from tests.proxy import Visitor, nginx_in_front

pytestmark = [pytest.mark.slow, pytest.mark.live]

REDIS_URL = "redis://127.0.0.1:6379/12"  # a database of its own, emptied first
FRESH_SECONDS = 2  # PAGE_CACHE_SECONDS on both instances
BUDGET = 6  # SIGNING_RATE_LIMIT: signatures a client may leave unconfirmed an hour
CLIENT = "198.51.100.23"  # the visitor, as a proxy reports her in X-Forwarded-For
STAFF_PASSWORD = "a-long-password-for-two-hosts"


@pytest.fixture
def shared_redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not running at 127.0.0.1:6379: in CI this test must run.")
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    yield client
    client.flushdb()


@contextmanager
def task_worker(folder, **environ):
    """One `manage.py db_worker`, as production runs it beside the app hosts."""
    env = {**os.environ, "DATABASE_URL": _test_database_url(), **environ}
    with (folder / "worker.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def count_on(visitor, path="/en/"):
    status, page = visitor.get(path)
    assert status == 200, page[:500]
    return int(re.search(r'class="count-number">([\d,]+)<', page).group(1).replace(",", ""))


def eventually(check, seconds):
    """Whether `check()` holds within `seconds`."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def emails_to(mail_dir, address):
    texts = []
    for file in mail_dir.glob("*.log"):
        texts += [t for t in file.read_text().split("-" * 79) if f"To: {address}" in t]
    return texts


def link_in(email, kind):
    return urllib.parse.urlsplit(re.search(rf"https://\S+/sign/{kind}/\S+/", email).group(0)).path


def sign(visitor, email):
    """Send the letter's form, as its page gave it (the form's token is the
    same for a while: fetched once, so that round-robin sends the forms
    themselves to each host in turn)."""
    if not hasattr(visitor, "started"):
        _, page = visitor.get("/en/")
        visitor.started = re.search(r'name="started" value="([^"]+)"', page).group(1)
    started = visitor.started
    status, _ = visitor.post(
        "/en/sign/",
        {"started": started, "name": "Two Hosts", "email": email, "country": "FR"},
    )
    return status


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
    reason="two hosts share PostgreSQL (make test with DATABASE_URL=postgres://…)",
)
def test_two_app_hosts_behind_one_nginx_are_one_site(
    transactional_db, nginx, shared_redis, tmp_path
):
    assert connection.vendor == "postgresql"
    campaign = make_featured_campaign(title="Time's Up", signature_goal=100)
    User.objects.create_superuser("staff", "staff@example.org", STAFF_PASSWORD)
    mail_dir = tmp_path / "mail"
    settings = {
        "HTTPS": "true",
        "CACHE_URL": REDIS_URL,
        "WEB_CONCURRENCY": "2",
        "TASKS_IMMEDIATE": "false",
        "EMAIL_BATCH_SECONDS": "0",
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "PAGE_CACHE_SECONDS": str(FRESH_SECONDS),
        "PAGE_STALE_SECONDS": "1",
        "SIGNING_MIN_FILL_SECONDS": "0",
        "SIGNING_RATE_LIMIT": str(BUDGET),
        "TRUSTED_PROXY_COUNT": "1",  # nginx appends the client's address
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "the-same-key-on-every-host-" + "x" * 40,
        "LOG_LEVEL": "WARNING",
    }
    with ExitStack() as stack:
        hosts = [
            stack.enter_context(serve_with_gunicorn(tmp_path / f"host-{n}.log", **settings))
            for n in "ab"
        ]
        ports = [int(host.base_url.rpartition(":")[2]) for host in hosts]
        servers = [f"server 127.0.0.1:{port};" for port in ports]  # round-robin
        base = stack.enter_context(nginx_in_front(nginx, tmp_path, servers))
        stack.enter_context(task_worker(tmp_path, **settings, SITE_URL=base))
        # Straight to one host, as a health check or an operator would.
        host_a, host_b = (
            Visitor(host.base_url, {"X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT})
            for host in hosts
        )
        through_nginx = Visitor(base)

        # Signatures through nginx reach both hosts, and each is stored and emailed once.
        addresses = [f"signer{n}@example.org" for n in range(4)]
        assert [sign(through_nginx, address) for address in addresses] == [302] * 4
        for host in hosts:
            # Its access line is written just after the answer: waited for.
            posted = host.access_log(lambda lines: any("POST /en/sign/" in x for x in lines))
            assert any("POST /en/sign/" in line for line in posted)
        assert eventually(lambda: all(emails_to(mail_dir, a) for a in addresses), 20)
        time.sleep(1)  # a second email, if one were sent twice, would be written by now
        assert [len(emails_to(mail_dir, a)) for a in addresses] == [1] * 4
        assert Signature.objects.filter(campaign=campaign).count() == 4

        # A confirmation through one host counts on both within the pages' freshness.
        confirmation = link_in(emails_to(mail_dir, addresses[0])[0], "confirm")
        status, _ = host_a.send_form(
            confirmation, {"name": "Two Hosts", "country": "FR", "industry": "undisclosed"}
        )
        assert status == 200
        assert eventually(
            lambda: count_on(host_a) == 1 and count_on(host_b) == 1, FRESH_SECONDS + 2
        )

        # The budget is one per client, whatever host counts it: BUDGET
        # signatures across the two, then a refusal from either.
        extra = [sign((host_a, host_b)[n % 2], f"more{n}@example.org") for n in range(BUDGET)]
        assert extra == [302] * BUDGET
        assert sign(host_a, "one-too-many@example.org") == 429
        assert sign(host_b, "one-too-many@example.org") == 429

        # A withdrawal through the other host leaves the count on both.
        withdrawal = link_in(emails_to(mail_dir, addresses[0])[0], "withdraw")
        status, _ = host_b.send_form(withdrawal, {})
        assert status == 200
        assert eventually(
            lambda: count_on(host_a) == 0 and count_on(host_b) == 0, FRESH_SECONDS + 2
        )

        # Staff close the letter in one host's admin: both stop taking signatures.
        host_a.send_form(
            "/admin/login/?next=/admin/", {"username": "staff", "password": STAFF_PASSWORD}
        )
        status, _ = host_a.send_form(
            "/admin/campaign/campaign/",
            {"action": "close_signing", "_selected_action": str(campaign.pk), "index": "0"},
        )
        assert status == 302
        assert not Campaign.objects.get(pk=campaign.pk).signing_open
        assert eventually(
            lambda: (
                sign(host_a, "late-a@example.org") == 403
                and sign(host_b, "late-b@example.org") == 403
            ),
            FRESH_SECONDS + 2,
        )

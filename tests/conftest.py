import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import translation

from pledges import services
from pledges.transparency import log
from tests.factories import make_featured_campaign
from timesup.infrastructure import caching

ROOT = Path(__file__).resolve().parent.parent


def run_django(args, var_dir, **environ):
    """Run `python <args>` in a fresh process with only this environment (and
    VAR_DIR pointing at `var_dir`), as an operator's shell would; its output."""
    env = {
        "PATH": os.environ["PATH"],
        "VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "timesup.settings",
        "LOG_LEVEL": "WARNING",
        **environ,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


class HttpsClient(Client):
    """The test client, speaking HTTPS: tests run with the production
    security settings (SSL redirect, Secure cookies, HSTS) left on.

    A request leaves its page's language active in the thread (in production
    the next request sets its own); here the test's language is restored, so
    that reverse() after fetching a Spanish page still means what it says."""

    def request(self, **request):
        request.update({"wsgi.url_scheme": "https", "SERVER_PORT": "443"})
        with translation.override(translation.get_language()):
            return super().request(**request)


def count_shown(response):
    """The count of signatures a page shows its visitor."""
    number = re.search(r'class="count-number">([\d,]+)<', response.content.decode())
    return int(number.group(1).replace(",", ""))


def form_as_shown(form, **changes):
    """The POST body a browser sends for `form` as the page drew it (its
    initial values), with `changes`; a ticked box is "on", an unticked one
    is left out, as browsers do."""
    data = {}
    for field in form:
        value = changes.pop(field.name, field.value())
        if value is True:
            data[field.name] = "on"
        elif value not in (False, None):
            data[field.name] = value
    assert not changes, f"no such fields: {changes}"
    return data


def confirm_as_shown(client, path, **changes):
    """Open a confirmation link and press the button, keeping what the page
    shows (or with `changes`), as the signer does; the confirmed page."""
    page = client.get(path)
    assert "form" in page.context, page.content.decode()[:2000]
    return client.post(path, form_as_shown(page.context["form"], **changes))


@pytest.fixture(scope="session", autouse=True)
def collected_static_files():
    # Pages name their stylesheet through the manifest of hashed file names,
    # as in production; collect once so it exists.
    call_command("collectstatic", interactive=False, verbosity=0)


def required_program(name, package=None):
    """The path of Debian's `name` (on PATH, or in /usr/sbin where root's
    programs are); a test without it is skipped, and fails in CI, which
    installs it (.ci/run)."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin")
    if path is None:
        message = f"{name} is missing (apt-get install {package or name})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: in CI the tests that need it must run.")
        pytest.skip(message)
    return path


@pytest.fixture
def nginx():
    return required_program("nginx")


class Inbox:
    """What an SMTP server received: each message's bytes, as sent, and how
    many connections (EHLO or HELO) brought them."""

    def __init__(self):
        self.messages = []
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        self.connections += 1
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's name for the hook
        self.messages.append(envelope.original_content)
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server on this machine (aiosmtpd), for tests of delivery
    itself; yields its Inbox, with the port it listens on."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def database_down(transactional_db):
    """Point the live connection at a database that isn't there, then restore it."""
    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent/directory/db.sqlite3"
    else:
        settings_dict["PORT"] = "1"  # nothing listens there: connection refused
    yield
    connection.close()
    settings_dict.update(saved)


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Each test starts with an empty cache, and whole-page and statistics
    caching off (they have tests of their own): otherwise one test's page would
    be served to the next."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.STATS_CACHE_SECONDS = 0
    caches["default"].clear()
    caches["local"].clear()
    caching.pages.clear()


@pytest.fixture(autouse=True)
def site_url(settings):
    """Links in emails on the test client's host, as a site at https://testserver would send."""
    settings.SITE_URL = "https://testserver"


@pytest.fixture(autouse=True)
def email_batches_at_once(settings):
    """The worker's batch of emails ready as soon as it is queued (production waits
    EMAIL_BATCH_SECONDS), so that a test's run of the worker sends it."""
    settings.EMAIL_BATCH_SECONDS = 0
    # And no memory of a batch queued in an earlier test's (flushed) database.
    services.email_batches.forget()


@pytest.fixture(autouse=True)
def log_checkpoints_at_once(settings, tmp_path_factory):
    """The logs' checkpoints due as soon as an entry is appended (production
    waits LOG_CHECKPOINT_SECONDS), signed with a key of the test run's own."""
    settings.LOG_CHECKPOINT_SECONDS = 0
    settings.LOG_SIGNING_KEY_PATH = str(tmp_path_factory.getbasetemp() / "log-signing.key")
    log.checkpoints.forget()


@pytest.fixture
def campaign(db):
    """The featured campaign: the one /sign/ and the wall serve."""
    return make_featured_campaign(title="Time's Up")


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Each test starts in English, whatever the one before activated."""
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def client():
    return HttpsClient()


@pytest.fixture
def admin_client(db, admin_user):
    client = HttpsClient()
    client.force_login(admin_user)
    return client


@dataclass
class LiveSite:
    base_url: str
    log: Path

    def url(self, path):
        return f"{self.base_url}{path}"

    def access_log(self, until, seconds=5):
        """The log's lines once `until(lines)` holds: gunicorn writes a request's
        access line just after sending the response, so it may lag the client."""
        deadline = time.monotonic() + seconds
        while True:
            lines = self.log.read_text().splitlines()
            if until(lines) or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _test_database_url():
    """The test database this run uses, as a DATABASE_URL for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@contextmanager
def serve_with_gunicorn(log, **environ):
    """gunicorn serving the site with our config on the test database, over plain
    HTTP on 127.0.0.1 (as `make run`, or on the unix socket GUNICORN_BIND
    names), with any settings overridden; yields a LiveSite once the image's
    own health check (deploy/healthcheck.py) finds it answering."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "HTTPS": "false",
        "PORT": str(port),
        "WEB_CONCURRENCY": "3",
        **environ,
    }
    with log.open("w") as output:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--config",
                "timesup/gunicorn.conf.py",
                "timesup.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    site = LiveSite(f"http://127.0.0.1:{port}", log)
    health_check = [sys.executable, "deploy/healthcheck.py"]
    try:
        deadline = time.monotonic() + 30
        while subprocess.run(health_check, cwd=ROOT, env=env, check=False).returncode:
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield site
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="session")
def live_site(django_db_setup, tmp_path_factory):
    """The site as operators run it: gunicorn with three workers on the test database.

    Emails are sent at once (no task worker) to files in `site.mail_dir`; the
    fill-time check and rate limits are off, since browsers driven by tests
    are quicker and more numerous than people. Tests that use it also need
    `transactional_db`, so that what they store is committed where
    gunicorn's workers can read it.
    """
    folder = tmp_path_factory.mktemp("live-site")
    mail_dir = folder / "mail"
    with serve_with_gunicorn(
        folder / "gunicorn.log",
        TASKS_IMMEDIATE="true",
        PAGE_CACHE_SECONDS="0",  # tests across one server must not see each other's pages
        EMAIL_URL=f"filemail:///{mail_dir}",  # four slashes: an absolute path
        SIGNING_MIN_FILL_SECONDS="0",
        SIGNING_RATE_LIMIT="100000",
    ) as site:
        site.mail_dir = mail_dir
        yield site


class Signer:
    """A browser, as far as the form needs: cookies, the fill-time token, redirects."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def sign(self, email):
        form = self.opener.open(f"{self.base_url}/en/sign/", timeout=30).read().decode()
        started = re.search(r'name="started" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode(
            {
                "started": started,
                "name": "Concurrent Signer",
                "email": email,
                "country": "US",
                "industry": "agriculture",
            }
        ).encode()
        try:
            response = self.opener.open(f"{self.base_url}/en/sign/", data=data, timeout=30)
        except urllib.error.HTTPError as error:  # 4xx and 5xx answers
            return error.code, error.url
        return response.status, response.url

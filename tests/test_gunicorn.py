"""The site as operators run it: gunicorn with our config, several workers, real HTTP.

These tests start gunicorn on the test database, the way `make run` does,
and sign the letter from several clients at once.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from pledges.models import Signature
from tests.factories import make_featured_campaign

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
CLIENTS = 4
SIGNATURES_PER_CLIENT = 25


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    """The URL of the test database this run uses, for the gunicorn process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def site(transactional_db, tmp_path):
    """gunicorn serving the site on a free port, with three workers; yields its base URL."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "HTTPS": "false",  # plain HTTP on 127.0.0.1, as with make run
        "PORT": str(port),
        "WEB_CONCURRENCY": "3",
    }
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(GUNICORN), "--config", "timesup/gunicorn.conf.py", "timesup.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base_url}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
                time.sleep(0.2)
        yield base_url, log
    finally:
        server.terminate()
        server.wait(timeout=30)
        connection.close()


class Signer:
    """A browser, as far as the form needs: cookies, the CSRF token, redirects."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def sign(self, email):
        form = self.opener.open(f"{self.base_url}/sign/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "name": "Concurrent Signer",
                "email": email,
                "country": "US",
                "industry": "agriculture",
            }
        ).encode()
        response = self.opener.open(f"{self.base_url}/sign/", data=data, timeout=30)
        return response.status, response.url


def test_concurrent_signing_through_gunicorn_stores_every_signature(site):
    base_url, log = site
    make_featured_campaign()
    results, errors = [], []

    def sign_many(client_number):
        signer = Signer(base_url)
        for n in range(SIGNATURES_PER_CLIENT):
            try:
                results.append(signer.sign(f"signer{client_number}-{n}@example.org"))
            except Exception as error:
                errors.append(repr(error))

    threads = [threading.Thread(target=sign_many, args=(c,)) for c in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert set(results) == {(200, f"{base_url}/sign/thanks/")}
    assert len(results) == CLIENTS * SIGNATURES_PER_CLIENT
    assert Signature.objects.count() == CLIENTS * SIGNATURES_PER_CLIENT
    server_log = log.read_text()
    assert "database is locked" not in server_log
    assert '" 500 ' not in server_log


def test_gunicorn_serves_pages_and_long_cached_static_files(site):
    base_url, log = site
    make_featured_campaign(title="Served by gunicorn")

    home = urllib.request.urlopen(f"{base_url}/", timeout=10).read().decode()
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', home).group(1)
    css = urllib.request.urlopen(f"{base_url}{stylesheet}", timeout=10)

    assert "Served by gunicorn" in home
    assert css.status == 200
    assert "max-age=315360000" in css.headers["Cache-Control"]
    assert "GET / HTTP/1.1" in log.read_text()  # the access log is on

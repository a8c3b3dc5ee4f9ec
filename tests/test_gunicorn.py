"""The site as operators run it: gunicorn with our config, several workers, real HTTP.

These tests use gunicorn serving the test database (the `live_site` fixture),
and sign the letter from several clients at once.
"""

import contextlib
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pledges.models import Signature
from tests.conftest import ROOT, Signer
from tests.factories import make_featured_campaign

pytestmark = pytest.mark.live

CLIENTS = 4
SIGNATURES_PER_CLIENT = 25

# gunicorn.conf.py's graceful_timeout, and a margin.
GRACEFUL_STOP_SECONDS = 30 + 15


def test_concurrent_signing_through_gunicorn_stores_every_signature(live_site, transactional_db):
    base_url = live_site.base_url
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
    assert set(results) == {(200, f"{base_url}/en/sign/thanks/")}
    assert len(results) == CLIENTS * SIGNATURES_PER_CLIENT
    assert Signature.objects.count() == CLIENTS * SIGNATURES_PER_CLIENT
    server_log = live_site.log.read_text()
    assert "database is locked" not in server_log
    assert '" 500 ' not in server_log


def test_gunicorn_serves_pages_and_long_cached_static_files(live_site, transactional_db):
    base_url = live_site.base_url
    make_featured_campaign(title="Served by gunicorn")

    home = urllib.request.urlopen(f"{base_url}/", timeout=10).read().decode()
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', home).group(1)
    css = urllib.request.urlopen(f"{base_url}{stylesheet}", timeout=10)

    assert "Served by gunicorn" in home
    assert css.status == 200
    assert "max-age=315360000" in css.headers["Cache-Control"]
    lines = live_site.access_log(until=lambda lines: any("GET / HTTP" in ln for ln in lines))
    assert any("GET / HTTP/1.1" in line for line in lines)  # the access log is on


def test_gunicorn_refuses_an_oversized_request_line(live_site):
    try:
        urllib.request.urlopen(live_site.url("/en/signatures/?after=" + "9" * 6000), timeout=10)
    except urllib.error.HTTPError as error:
        status = error.code
    else:
        status = 200

    assert status in (400, 414)


def test_the_access_log_never_holds_a_link_token(live_site, transactional_db):
    make_featured_campaign()
    token = "WzEsImFiYyJd:1abc:secret-part-of-the-token"
    probe = secrets.token_hex(4)  # tells this test's lines from earlier ones

    for link in ["confirm", "withdraw"]:
        with contextlib.suppress(urllib.error.HTTPError):  # a made-up token: 404
            urllib.request.urlopen(live_site.url(f"/en/sign/{link}/{token}/?{probe}"), timeout=10)

    def both_logged(lines):
        return sum(f"/?{probe} HTTP" in line for line in lines) >= 2

    whole_log = live_site.access_log(until=both_logged)
    access_log = [line for line in whole_log if probe in line]
    assert any(f"GET /en/sign/confirm/…/?{probe} HTTP/1.1" in line for line in access_log)
    assert any(f"GET /en/sign/withdraw/…/?{probe} HTTP/1.1" in line for line in access_log)
    # Nor Django's own line for the 404 ("Not Found: /en/sign/confirm/…/").
    assert not any("secret-part-of-the-token" in line for line in whole_log)


def test_the_access_log_keeps_the_clients_network_not_its_address(live_site, transactional_db):
    probe = secrets.token_hex(4)

    urllib.request.urlopen(live_site.url(f"/healthz?{probe}"), timeout=10)

    lines = live_site.access_log(until=lambda lines: any(probe in ln for ln in lines))
    line = next(line for line in lines if probe in line)
    assert line.startswith("127.0.0.0 ")  # the request came from 127.0.0.1
    assert "127.0.0.1" not in line


def start_gunicorn(tmp_path, **environ):
    """gunicorn with our config and `environ` (the process, not waited for)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **environ}
    command = [str(Path(sys.executable).with_name("gunicorn")), "--config"]
    return subprocess.Popen(
        [*command, "timesup/gunicorn.conf.py", "timesup.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_gunicorn_refuses_a_unix_socket_where_no_proxy_can_name_the_client(tmp_path):
    # Issue 20, item 7: behind a socket REMOTE_ADDR is empty, and without
    # TRUSTED_PROXY_COUNT every client would be one, or none.
    socket = tmp_path / "gunicorn.sock"

    server = start_gunicorn(tmp_path, GUNICORN_BIND=f"unix:{socket}", TRUSTED_PROXY_COUNT="0")
    _, errors = server.communicate(timeout=30)

    assert server.returncode != 0
    assert "Refusing to start" in errors
    assert "TRUSTED_PROXY_COUNT" in errors
    assert not socket.exists()


def test_gunicorn_starts_on_a_unix_socket_behind_a_named_proxy(tmp_path):
    socket = tmp_path / "gunicorn.sock"
    server = start_gunicorn(tmp_path, GUNICORN_BIND=f"unix:{socket}", TRUSTED_PROXY_COUNT="1")
    try:
        deadline = time.monotonic() + 30
        while not socket.exists() and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert socket.exists(), server.poll() is not None and server.communicate()[1]
    finally:
        server.terminate()
        # Workers still booting on a loaded machine are given gunicorn's
        # graceful_timeout (30 s) to finish: waiting exactly as long raced it.
        server.communicate(timeout=GRACEFUL_STOP_SECONDS)

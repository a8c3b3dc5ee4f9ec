import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


class HttpsClient(Client):
    """The test client, speaking HTTPS: tests run with the production
    security settings (SSL redirect, Secure cookies, HSTS) left on."""

    def request(self, **request):
        request.update({"wsgi.url_scheme": "https", "SERVER_PORT": "443"})
        return super().request(**request)


@pytest.fixture(scope="session", autouse=True)
def collected_static_files():
    # Pages name their stylesheet through the manifest of hashed file names,
    # as in production; collect once so it exists.
    call_command("collectstatic", interactive=False, verbosity=0)


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


@pytest.fixture(scope="session")
def live_site(django_db_setup, tmp_path_factory):
    """The site as operators run it: gunicorn with our config and three workers,
    on the test database, over plain HTTP on 127.0.0.1 (as `make run`).

    Tests that use it also need `transactional_db`, so that what they store is
    committed where gunicorn's workers can read it.
    """
    port = _free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "HTTPS": "false",
        "PORT": str(port),
        "WEB_CONCURRENCY": "3",
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
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(site.url("/healthz"), timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
                time.sleep(0.2)
        yield site
    finally:
        server.terminate()
        server.wait(timeout=30)

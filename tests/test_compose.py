"""`docker compose up` serves HTTPS: the proxy (nginx, with the one
configuration docs/deploy.md shows) in front, gunicorn published nowhere,
reached on the unix socket the two containers share. No Docker engine runs
here, so the wiring is checked as compose gives it (`docker-compose config`)
and then run as the containers would run it, on this machine: gunicorn bound
to the socket, nginx with the file as it is, the image's health check."""

import os
import re
import shutil
import subprocess
import time

import pytest

from tests.conftest import ROOT, required_program, serve_with_gunicorn
from tests.factories import make_featured_campaign
from tests.proxy import UPSTREAM, Visitor, nginx_in_front

pytestmark = [pytest.mark.slow, pytest.mark.live]


@pytest.fixture
def compose_config(tmp_path):
    """`docker compose config` of compose.yaml with the example env file: the
    file as compose reads it, every service's settings resolved."""
    # Debian's docker-compose reads the file as compose does; no engine needed.
    command = required_program("docker-compose")
    for name in ("compose.yaml", "Dockerfile", "deploy"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    env = (ROOT / "deploy" / "compose.env.example").read_text()
    (tmp_path / ".env").write_text(env.replace("SECRET_KEY=\n", "SECRET_KEY=for-the-test\n"))
    result = subprocess.run(
        [command, "config"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def service(config, name):
    """One service's block of `docker compose config`'s output."""
    match = re.search(rf"^  {name}:\n((?:    .*\n|\n)*)", config, re.M)
    assert match, f"no service {name}"
    return match.group(1)


def test_compose_publishes_the_proxy_alone_on_80_and_443(compose_config):
    proxy = service(compose_config, "proxy")

    assert re.findall(r"published: (\d+)", proxy) == ["80", "443"]
    for other in ("web", "worker", "upkeep", "migrate", "db", "redis"):
        assert "ports:" not in service(compose_config, other), other


def test_the_proxy_uses_the_one_configuration_and_reaches_gunicorn_on_its_socket(
    compose_config,
):
    proxy, web = service(compose_config, "proxy"), service(compose_config, "web")
    socket_path = re.search(r"server unix:(\S+)", UPSTREAM).group(1)

    assert re.search(r"deploy/nginx/timesup\.conf:/etc/nginx/sites-enabled/timesup\.conf:ro", proxy)
    assert f"GUNICORN_BIND: unix:{socket_path}" in web
    folder = os.path.dirname(socket_path)
    assert f"gunicorn-socket:{folder}:rw" in proxy
    assert f"gunicorn-socket:{folder}:rw" in web
    # The proxy waits for the site's own health check (deploy/healthcheck.py).
    assert re.search(r"web:\n\s+condition: service_healthy", proxy)


def test_the_site_answers_over_https_through_the_proxy_as_compose_wires_it(
    transactional_db, nginx, tmp_path
):
    make_featured_campaign(title="Equal Pay Now")
    socket_path = tmp_path / "gunicorn.sock"
    # gunicorn as compose's web container runs it, on the socket; ready once
    # the image's own health check answers there (Dockerfile's HEALTHCHECK).
    web = serve_with_gunicorn(
        tmp_path / "gunicorn.log",
        GUNICORN_BIND=f"unix:{socket_path}",
        # As deploy/compose.env.example sets them for the proxy in front.
        TRUSTED_PROXY_COUNT="1",
        FORWARDED_ALLOW_IPS="*",
        HTTPS="true",
        WEB_CONCURRENCY="2",
    )
    proxy = nginx_in_front(nginx, tmp_path, [f"server unix:{socket_path} fail_timeout=0;"])
    with web, proxy as base:
        status, page = Visitor(base).get("/en/")
        assert status == 200
        assert "Equal Pay Now" in page
        # The site saw HTTPS (no redirect) and the proxy's client, by its network
        # in the log (which nginx writes just after answering: waited for).
        logged = re.compile(r'127\.0\.0\.0 \[.*\] "GET /en/" 200 ')
        deadline = time.monotonic() + 5
        while not any(logged.match(line) for line in access_log_lines(tmp_path)):
            assert time.monotonic() < deadline, access_log_lines(tmp_path)
            time.sleep(0.05)
        lines = access_log_lines(tmp_path)
        assert not any("127.0.0.1" in line for line in lines)


def access_log_lines(folder):
    path = folder / "access.log"
    return path.read_text().splitlines() if path.exists() else []

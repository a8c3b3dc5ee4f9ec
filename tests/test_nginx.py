"""The nginx configuration the docs give (deploy/nginx/timesup.conf) loads in
nginx, and keeps out of its log the same link paths the site's own logs
redact (issue 20, item 8)."""

import re
import subprocess

import pytest
from django.urls import get_resolver

from pledges.link_paths import LINK_TOKEN_PATHS
from tests.conftest import ROOT
from tests.proxy import CONFIG, self_signed_certificate


@pytest.mark.slow
def test_the_configuration_loads_in_nginx(nginx, tmp_path):
    # As an operator sets it up: the certificate's and the log's paths are the host's.
    self_signed_certificate(tmp_path)
    site = (
        CONFIG.read_text()
        .replace(
            "/etc/letsencrypt/live/timesup.example.org/fullchain.pem", str(tmp_path / "cert.pem")
        )
        .replace("/etc/letsencrypt/live/timesup.example.org/privkey.pem", str(tmp_path / "key.pem"))
        .replace("/var/log/nginx/timesup.access.log", str(tmp_path / "access.log"))
        .replace("/var/cache/nginx/timesup", str(tmp_path / "cache"))
    )
    (tmp_path / "timesup.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{ include {tmp_path}/timesup.conf; }}\n"
    )

    result = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_logs_none_of_the_link_paths_the_site_redacts():
    location = re.search(
        r'location ~ "\^/\[a-z\]\{2\}/\(([^)]+)\)/" \{\s*access_log off;', CONFIG.read_text()
    )

    assert location, "no unlogged location for the links in emails"
    assert set(location.group(1).split("|")) == set(LINK_TOKEN_PATHS)


def _public_pages_query_parameters(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _public_pages_query_parameters(pattern.url_patterns)
        else:
            yield from getattr(pattern.callback, "page_query_names", ())


def test_nginx_keys_its_copies_on_the_query_parameters_public_pages_read():
    key = re.search(r'^proxy_cache_key "([^"]+)";', CONFIG.read_text(), re.M)
    read = set(_public_pages_query_parameters(get_resolver().url_patterns))

    assert key, "no proxy_cache_key: nginx would key on the whole query"
    assert read == {"after", "source"}
    assert set(re.findall(r"\$arg_(\w+)", key.group(1))) == read


def test_the_deployment_guide_shows_the_configuration_as_it_is():
    guide = (ROOT / "docs" / "deploy.md").read_text()

    assert f"```nginx\n{CONFIG.read_text()}```" in guide

"""nginx in front of the site, as the tests run it: the configuration
docs/deploy.md gives (deploy/nginx/timesup.conf), with only what the docs
say to set per deployment changed, and a client that speaks to it."""

import re
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

import pytest

from tests.conftest import ROOT, _free_port

CONFIG = ROOT / "deploy" / "nginx" / "timesup.conf"
# The upstream as the file gives it: compose's web container binds this socket.
UPSTREAM = "    server unix:/run/timesup/gunicorn.sock fail_timeout=0;\n"


def self_signed_certificate(folder):
    """A certificate for a day, made by openssl (Debian's, beside nginx)."""
    key, certificate = str(folder / "key.pem"), str(folder / "cert.pem")
    subprocess.run(
        [
            *(
                "openssl",
                "req",
                "-x509",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=timesup.example.org",
            ),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"),
            *("-keyout", key, "-out", certificate),
        ],
        check=True,
        capture_output=True,
    )


@contextmanager
def nginx_in_front(nginx, folder, servers):
    """nginx with deploy/nginx/timesup.conf as the docs give it, on a port of
    its own over HTTPS, its upstream `servers` (nginx's `server` lines: one
    unix socket as compose.yaml runs it, or several hosts, round-robin), the
    paths of certificates, logs and cache in `folder`; yields its base URL."""
    port = _free_port()
    self_signed_certificate(folder)
    Visitor.certificate = str(folder / "cert.pem")
    site = (
        CONFIG.read_text()
        .replace(UPSTREAM, "".join(f"    {server}\n" for server in servers))
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;")
        .replace("listen [::]:443 ssl http2;", "")
        .replace("listen 80;", f"listen 127.0.0.1:{_free_port()};")
        .replace("listen [::]:80;", "")
        .replace(
            "/etc/letsencrypt/live/timesup.example.org/fullchain.pem", str(folder / "cert.pem")
        )
        .replace("/etc/letsencrypt/live/timesup.example.org/privkey.pem", str(folder / "key.pem"))
        .replace("/var/log/nginx/timesup.access.log", str(folder / "access.log"))
        .replace("/var/cache/nginx/timesup", str(folder / "cache"))
    )
    assert UPSTREAM in CONFIG.read_text(), "the upstream of deploy/nginx/timesup.conf has changed"
    (folder / "timesup.conf").write_text(site)
    (folder / "nginx.conf").write_text(
        "user root root;\n"
        f"pid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\n"
        "daemon off;\n"
        "events {}\n"
        f"http {{ include {folder}/timesup.conf; }}\n"
    )
    process = subprocess.Popen(
        [nginx, "-c", str(folder / "nginx.conf"), "-p", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    base = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                Visitor(base).get("/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"nginx did not start:\n{(folder / 'error.log').read_text()}")
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=10)


class Visitor:
    """A browser as far as these pages need: its cookies, HTTPS trusting the
    test's own certificate, redirects not followed."""

    certificate = None  # set once nginx_in_front made it

    class _NoRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base, headers=None):
        self.base = base
        self.headers = headers or {}
        self.cookies = {}
        context = ssl.create_default_context(cafile=self.certificate)
        context.check_hostname = False  # made for timesup.example.org, reached as 127.0.0.1
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context), self._NoRedirects()
        )

    def request(self, path, data=None, headers=None):
        headers = {**self.headers, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.read().decode()

    def get(self, path):
        return self.request(path)

    def send_form(self, path, data):
        """The form on `path` sent as a browser sends it: with the page's CSRF
        token and its origin, whatever else `data` says."""
        _, page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        origin = self.base.replace("http://", "https://")
        headers = {"Origin": origin, "Referer": origin + path}
        return self.request(path, {"csrfmiddlewaretoken": token, **data}, headers=headers)

    def post(self, path, data):
        # As a browser posting one of the site's own forms says it.
        return self.request(path, data, headers={"Sec-Fetch-Site": "same-origin"})

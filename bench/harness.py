"""What bench/run.py measures with: the servers it starts (the site and the
minimal Django, on gunicorn, with their databases), requests made as a
browser and as staff, wrk's load and its figures."""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "timesup_bench"
PG_MINIMAL_DATABASE = "timesup_bench_minimal"
REDIS_URL = "redis://127.0.0.1:6379/14"
STAFF_PASSWORD = "bench-" + secrets.token_hex(8)


MINIMAL_GET = "minimal Django: GET of a short page"
MINIMAL_POST = "minimal Django: POST, validate a form, insert a row"
IN_SITE_BARE = "our middleware around an empty view"
SIGNING = "signing (POST; the worker sending emails beside it)"
SIGNING_ALONE = "signing (POST; no worker running: the request's own cost)"
SHARED_LINKS = "/ through shared links (?source=, made-up codes, fbclid)"
CROWD_ADDRESS, FLOOD_ADDRESS = "198.51.100.7", "203.0.113.9"
SIGNING_RATE_LIMIT_DEFAULT = 30  # timesup/settings.py's default, which the phase runs at


@dataclass
class Measure:
    name: str
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    note: str = ""
    target: str = ""
    met: bool | None = None


@dataclass
class Run:
    backend: str
    measures: list = field(default_factory=list)
    facts: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------
# The site


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_environment(backend, var_dir, port, limits="raised"):
    env = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "CACHE_URL"}
    }
    env.update(
        {
            # The site's settings, plus /bench/bare/ (bench/site_urls.py).
            "DJANGO_SETTINGS_MODULE": "bench.site_settings",
            # Production settings: DEBUG off, HTTPS on (wrk says X-Forwarded-Proto:
            # https, which gunicorn trusts from 127.0.0.1), emails queued for a worker.
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1",
            "VAR_DIR": str(var_dir),
            "PORT": str(port),
            "LOG_LEVEL": "WARNING",
            "TASKS_IMMEDIATE": "false",
            "DJANGO_SUPERUSER_USERNAME": "bench",
            "DJANGO_SUPERUSER_EMAIL": "bench@example.org",
            "DJANGO_SUPERUSER_PASSWORD": STAFF_PASSWORD,
        }
    )
    if limits == "raised":
        # A load test is one client signing thousands of times a minute: the
        # limits meant for people are raised, the checks stay on.
        env.update(SIGNING_RATE_LIMIT="1000000000", SIGNING_MIN_FILL_SECONDS="0")
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{var_dir / 'db.sqlite3'}"
    else:
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
        env["CACHE_URL"] = REDIS_URL
    return env


def minimal_environment(backend, var_dir, port):
    env = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "CACHE_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.minimal.settings",
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
            "PORT": str(port),
            "DATABASE_URL": f"sqlite:///{var_dir / 'minimal.sqlite3'}"
            if backend == "sqlite"
            else f"{PG_SERVER}/{PG_MINIMAL_DATABASE}",
        }
    )
    return env


def fresh_database(backend, var_dir):
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
            for name in (PG_DATABASE, PG_MINIMAL_DATABASE):
                connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                connection.execute(f"CREATE DATABASE {name}")
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()


def manage(env, *args):
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


class Site:
    def __init__(self, env, log_path, application="timesup.wsgi"):
        self.base = f"http://127.0.0.1:{env['PORT']}"
        # What the browser sees behind the TLS proxy; the origin check compares with it.
        self.https_base = self.base.replace("http://", "https://")
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.server = subprocess.Popen(
            [GUNICORN, "--config", "timesup/gunicorn.conf.py", application],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=2)
                return
            except OSError:
                if time.monotonic() > deadline or self.server.poll() is not None:
                    sys.exit(f"gunicorn did not start; see {log_path}")
                time.sleep(0.3)

    def workers(self):
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def peak_memory_per_worker_mb(self):
        peaks = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
        return max(peaks), len(peaks)

    def stop(self):
        self.server.terminate()
        self.server.wait(timeout=60)
        self.log.close()


class MailServer:
    """A real SMTP server (aiosmtpd, in this process) that the task worker
    delivers to while the bench signs: when each email arrived, and for whom."""

    def __init__(self):
        self.arrivals = []  # (time.time() at arrival, recipient)
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{self.controller.port}"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's name for the hook
        arrived = time.time()
        with self._lock:
            self.arrivals.extend((arrived, recipient) for recipient in envelope.rcpt_tos)
        return "250 OK"

    def received(self, prefix):
        """{recipient: [arrival times]} of the addresses starting with `prefix`."""
        with self._lock:
            arrivals = list(self.arrivals)
        received = {}
        for arrived, recipient in arrivals:
            if recipient.startswith(prefix):
                received.setdefault(recipient, []).append(arrived)
        return received

    def stop(self):
        self.controller.stop()


class TaskWorker:
    """`manage.py db_worker` beside gunicorn, as `make run`, compose and
    docs/deploy.md run it."""

    def __init__(self, env, log_path):
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.5"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def postgres_cpu_seconds():
    """CPU seconds (user and system) this machine's PostgreSQL has used: its
    processes' own, and, counted in the postmaster's, those of its processes
    that have ended (a connection closed, an autovacuum worker). Sampled
    before and after a phase: the database's own share of it."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if not (entry / "comm").read_text().startswith("postgres"):
                continue
            stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
    total = 0
    for fields in stats.values():
        total += int(fields[11]) + int(fields[12])  # utime, stime
        if int(fields[1]) not in stats:  # the postmaster: its children that ended
            total += int(fields[13]) + int(fields[14])  # cutime, cstime
    return total / tick


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(site, path, data=None, cookies="", referer=None, client=None):
    """(status, headers, body) over 'HTTPS' (as gunicorn sees it behind a proxy);
    `client`: the address the proxy saw (X-Forwarded-For, with TRUSTED_PROXY_COUNT=1)."""
    headers = {"X-Forwarded-Proto": "https", "Cookie": cookies}
    if referer:
        headers["Referer"] = referer
    if client:
        headers["X-Forwarded-For"] = client
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(site.base + path, data=body, headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        response = opener.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()
    return response.status, response.headers, response.read().decode()


def cookie(headers, name):
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith(name + "="):
            return value.split(";", 1)[0]
    raise SystemExit(f"no {name} cookie")


def form_field(page, name):
    return re.search(rf'name="{name}" value="([^"]+)"', page).group(1)


def staff_session(site):
    _, headers, page = fetch(site, "/admin/login/")
    csrf = cookie(headers, "__Host-csrftoken")
    status, headers, _ = fetch(
        site,
        "/admin/login/",
        {
            "csrfmiddlewaretoken": form_field(page, "csrfmiddlewaretoken"),
            "username": "bench",
            "password": STAFF_PASSWORD,
            "next": "/admin/",
        },
        cookies=csrf,
        referer=site.https_base + "/admin/login/",
    )
    if status != 302:
        sys.exit(f"staff login failed: {status}")
    return cookie(headers, "__Host-sessionid")


# ---------------------------------------------------------------------------
# Load


def wrk(site, path, seconds, connections, cookies="", script=None, script_args=()):
    command = [
        "wrk",
        "--threads",
        "2",
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "--header",
        "X-Forwarded-Proto: https",
    ]
    if cookies:
        command += ["--header", f"Cookie: {cookies}"]
    if script:
        command += ["--script", str(script)]
    command.append(site.base + path)
    if script_args:
        command += ["--", *script_args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return output


def parse_wrk(name, output):
    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    measure = Measure(name)
    measure.requests_per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    measure.p50_ms, measure.p99_ms = latency(50), latency(99)
    non_success = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    measure.errors = int(non_success.group(1)) if non_success else 0
    if socket_errors:
        measure.errors += sum(int(n) for n in socket_errors.groups())
    return measure

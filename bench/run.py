"""`make bench`: the site under load, at a million signatures, on SQLite and PostgreSQL.

For each database: first a minimal Django project (bench/minimal/: four
standard middlewares, a short page, a POST that validates a three-field form
and inserts one row) on the same gunicorn config, measured with wrk; then a
fresh database with the Time's Up campaign and N generated signatures, the
site on gunicorn with the production settings (on PostgreSQL with Redis as
the shared cache, as docs/deploy.md sets up production), and wrk (from a
separate process) on each page for a few seconds and on signing for a
minute; then the shared-address phase (a crowd behind one address who
confirm, and one client flooding addresses nobody confirms, at the default
limits) and the CSV export. Every figure sits beside the minimal Django's
and beside the site's own middleware around an empty view (/bench/bare/),
measured in the same run. The table is printed and written into
docs/benchmarks.md; no figure is typed by hand.

    make bench
    make bench BENCH_ARGS="--signatures 100000 --seconds 5 --sign-seconds 20"
"""

import argparse
import datetime
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

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
SIGNING = "signing (POST, email queued)"
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


def count_rows(env):
    return int(
        manage(
            env,
            "shell",
            "-c",
            "from pledges.models import Signature as S; print(S.objects.count())",
        )
        .strip()
        .splitlines()[-1]
    )


def deep_wall_cursor(env, depth):
    code = (
        "from pledges.models import Signature as S; from pledges.views import wall_cursor; "
        f"print(wall_cursor(S.objects.wall()[{depth}]))"
    )
    return manage(env, "shell", "-c", code).strip().splitlines()[-1]


def export_csv(env):
    """(seconds, peak resident memory in MB) of exporting every signature to CSV."""
    started = time.monotonic()
    process = subprocess.Popen(
        [PYTHON, "manage.py", "export_signatures", "timesup", "--output", os.devnull],
        cwd=ROOT,
        env=env,
    )
    _, status, usage = os.wait4(process.pid, 0)
    if status:
        sys.exit("export_signatures failed")
    return time.monotonic() - started, usage.ru_maxrss / 1024


# ---------------------------------------------------------------------------
# A run


def measure_minimal(backend, var_dir, args, run):
    """The minimal Django's GET and POST + insert, on this database, alone on the machine."""
    env = minimal_environment(backend, var_dir, free_port())
    manage(env, "migrate", "--run-syncdb", "--noinput")
    if backend == "postgresql":
        import psycopg

        # Dropping the last run's million rows leaves writes to flush: flush them first.
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
            connection.execute("CHECKPOINT")
    site = Site(env, var_dir / "minimal.log", application="bench.minimal.wsgi")
    try:
        for name, path, script in [
            (MINIMAL_GET, "/", None),
            (MINIMAL_POST, "/post/", ROOT / "bench" / "minimal_post.lua"),
        ]:
            wrk(site, path, min(2, args.seconds), args.connections, script=script)  # warm up
            output = wrk(site, path, args.seconds, args.connections, script=script)
            run.measures.append(parse_wrk(name, output))
    finally:
        site.stop()


def bench(backend, args):
    var_dir = Path(args.workdir).resolve() / backend
    if not args.reuse:
        fresh_database(backend, var_dir)
    run = Run(backend)
    measure_minimal(backend, var_dir, args, run)
    env = site_environment(backend, var_dir, free_port())
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    if args.reuse:
        # The last run's database as it is; only the staff password is new.
        code = (
            "from django.contrib.auth.models import User; u = User.objects.get(username='bench'); "
            f"u.set_password('{STAFF_PASSWORD}'); u.save()"
        )
        manage(env, "shell", "-c", code)
        run.facts["generate_seconds"] = 0.0
    else:
        manage(env, "load_default_campaign")
        manage(env, "createsuperuser", "--noinput")
        started = time.monotonic()
        manage(env, "generate_signatures", "timesup", "--count", str(args.signatures))
        run.facts["generate_seconds"] = time.monotonic() - started
        if backend == "postgresql":
            # As an operator would after a bulk load: without it, autovacuum
            # works through the new rows during the first measures (the
            # site's own middleware measured at 0.19 of the minimal Django in
            # one run, 0.56 once settled).
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/{PG_DATABASE}", autocommit=True) as connection:
                connection.execute("VACUUM (ANALYZE)")
                # And write the load's pages out now, not in the middle of a measure.
                connection.execute("CHECKPOINT")
    deep_cursor = deep_wall_cursor(env, int(args.signatures * 0.9))
    code = "from pledges.models import Signature as S; print(S.objects.order_by('pk')[0].email)"
    sample_email = urllib.parse.quote(manage(env, "shell", "-c", code).strip().splitlines()[-1])

    site = Site(env, var_dir / "gunicorn.log")
    try:
        session = staff_session(site)
        pages = [
            (IN_SITE_BARE, "/bench/bare/", ""),
            ("/ (campaign page)", "/en/", ""),
            ("/sign/ GET", "/en/sign/", ""),
            ("/signatures/ first page", "/en/signatures/", ""),
            ("/signatures/ deep page (90%)", f"/en/signatures/?after={deep_cursor}", ""),
            ("/stats/ (statistics)", "/en/stats/", ""),
            ("/api/campaigns/timesup/", "/api/campaigns/timesup/", ""),
            ("/embed/ (widget)", "/embed/", ""),
            ("admin signature list", "/admin/pledges/signature/", session),
            ("admin search by name", "/admin/pledges/signature/?q=Signer+123456", session),
            ("admin search by email", f"/admin/pledges/signature/?q={sample_email}", session),
        ]
        for name, path, cookies in pages:
            # Visitors arrive by the thousand; staff work a few at a time.
            connections = args.admin_connections if cookies else args.connections
            wrk(site, path, min(2, args.seconds), connections, cookies)  # warm up
            output = wrk(site, path, args.seconds, connections, cookies)
            run.measures.append(parse_wrk(name, output))

        before = count_rows(env)
        _, _, page = fetch(site, "/en/sign/")
        output = wrk(
            site,
            "/en/sign/",
            args.sign_seconds,
            args.connections,
            script=ROOT / "bench" / "sign.lua",
            script_args=[
                form_field(page, "started"),
                f"bench-{secrets.token_hex(3)}",
                site.https_base,
            ],
        )
        signing = parse_wrk(SIGNING, output)
        counts = re.search(r"BENCH accepted=(\d+) server_errors=(\d+) other=(\d+)", output)
        accepted, server_errors, other = (int(n) for n in counts.groups())
        stored = count_rows(env) - before
        signing.requests_per_second = accepted / args.sign_seconds
        signing.errors = server_errors + other
        signing.note = f"{accepted} accepted, {stored} stored, {server_errors} server errors"
        run.measures.append(signing)
        run.facts.update(accepted=accepted, stored=stored, server_errors=server_errors)
        run.facts["worker_peak_mb"], run.facts["workers"] = site.peak_memory_per_worker_mb()
        queued = manage(
            env,
            "shell",
            "-c",
            "from pledges.models import Submission as S; "
            "print(S.objects.filter(email_requested_at__isnull=False).count())",
        )
        run.facts["emails_queued"] = int(queued.strip().splitlines()[-1])
        if "database is locked" in (var_dir / "gunicorn.log").read_text():
            run.facts["database_locked"] = True
    finally:
        site.stop()

    run.facts["export_seconds"], run.facts["export_peak_mb"] = export_csv(env)
    shared_address_phase(backend, var_dir, args, run)
    judge(run, args)
    return run


def shared_address_phase(backend, var_dir, args, run):
    """At the default limits: `--crowd` people behind one address sign and each
    confirms from the link in their email, a few at a time, as people do; then
    one client behind another address sends `--flood` addresses nobody confirms."""
    env = site_environment(backend, var_dir, free_port(), limits="default")
    # The load test's own signatures still wait for their emails (no worker ran);
    # they are not this phase's to send.
    manage(
        env,
        "shell",
        "-c",
        "from pledges.models import Submission as S; "
        "S.objects.filter(email_requested_at__isnull=False).update(email_requested_at=None)",
    )
    mail_dir = var_dir / "shared-address-mail"
    shutil.rmtree(mail_dir, ignore_errors=True)
    env.update(
        # Each email written at once, as a file, so the crowd can open its link.
        TASKS_IMMEDIATE="true",
        EMAIL_URL=f"filemail:///{mail_dir}",
        # The addresses the "proxy" saw come in X-Forwarded-For.
        TRUSTED_PROXY_COUNT="1",
        SIGNING_MIN_FILL_SECONDS="0",
    )
    site = Site(env, var_dir / "shared-address.log")
    prefix = f"crowd-{secrets.token_hex(3)}"
    try:
        crowd = [f"{prefix}-{n}@example.org" for n in range(args.crowd)]
        statuses = {}

        def sign(email, client):
            _, _, page = fetch(site, "/en/sign/", client=client)
            data = {
                "started": form_field(page, "started"),
                "name": "Crowd Signer",
                "email": email,
                "country": "US",
                "industry": "education",
            }
            status, _, _ = fetch(
                site, "/en/sign/", data, referer=site.https_base + "/en/sign/", client=client
            )
            return status

        def confirm(email):
            path = confirmation_path(mail_dir, email)
            _, headers, page = fetch(site, path, client=CROWD_ADDRESS)
            csrf = cookie(headers, "__Host-csrftoken")
            # The confirmation page's form, as it comes: what the form sent asked for.
            data = {
                "csrfmiddlewaretoken": form_field(page, "csrfmiddlewaretoken"),
                "name": "Crowd Signer",
                "country": "US",
                "industry": "education",
            }
            fetch(site, path, data, cookies=csrf, referer=site.https_base + path)

        # People confirm a while after signing: 20 wait for their email at any time.
        for n, email in enumerate(crowd):
            statuses[email] = sign(email, CROWD_ADDRESS)
            if n >= 20:
                confirm(crowd[n - 20])
        for email in crowd[-20:]:
            confirm(email)
        flood = [sign(f"{prefix}-flood-{n}@example.org", FLOOD_ADDRESS) for n in range(args.flood)]
    finally:
        site.stop()
    code = (
        "from pledges.models import Signature as S; "
        f"print(S.objects.filter(email__startswith='{prefix}-', confirmed_at__isnull=False)"
        f".exclude(email__contains='-flood-').count(), "
        f"S.objects.filter(email__startswith='{prefix}-flood-').count())"
    )
    counted, flood_stored = manage(env, "shell", "-c", code).strip().splitlines()[-1].split()
    run.facts.update(
        crowd=args.crowd,
        crowd_taken=sum(1 for status in statuses.values() if status == 302),
        crowd_counted=int(counted),
        flood=args.flood,
        flood_taken=sum(1 for status in flood if status == 302),
        flood_refused=sum(1 for status in flood if status == 429),
        flood_stored=int(flood_stored),
        default_limit=SIGNING_RATE_LIMIT_DEFAULT,
    )


def confirmation_path(mail_dir, email):
    """The confirmation link's path in the email `email` was sent."""
    # Django's file backend may append several messages to one file, each
    # followed by a line of dashes.
    for file in sorted(mail_dir.glob("*.log")):
        for text in file.read_text().split("-" * 79):
            if not re.search(rf"^To: {re.escape(email)}$", text, re.MULTILINE):
                continue
            return re.search(r"https?://[^/\s]+(/[a-z]{2}/sign/confirm/[^\s]+/)", text).group(1)
    sys.exit(f"no confirmation email for {email}")


PUBLIC_PAGES = [
    "/ (campaign page)",
    "/sign/ GET",
    "/signatures/ first page",
    "/signatures/ deep page (90%)",
    "/stats/ (statistics)",
    "/api/campaigns/timesup/",
    "/embed/ (widget)",
]
# Share of the minimal Django's requests/s each must reach (issue 11).
SHARE_TARGETS = {"/ (campaign page)": 0.70, "/sign/ GET": 0.50, SIGNING: 0.40}


def reference_for(run, measure):
    """The minimal Django measure a measure is compared with: its GET, or its POST."""
    name = MINIMAL_POST if measure.name in {SIGNING, MINIMAL_POST} else MINIMAL_GET
    return next(m for m in run.measures if m.name == name)


def judge(run, args):
    for measure in run.measures:
        reference = reference_for(run, measure)
        checks = []
        if measure.name in PUBLIC_PAGES or measure.name == SIGNING:
            share = SHARE_TARGETS.get(measure.name)
            if share:
                checks.append(
                    (
                        f"≥ {share:.2f} of minimal",
                        measure.requests_per_second >= share * reference.requests_per_second,
                    )
                )
            checks.append(("p99 ≤ 3 x minimal's", measure.p99_ms <= 3 * reference.p99_ms))
        elif measure.name.startswith("admin"):
            checks.append(("p99 < 500 ms", measure.p99_ms < 500))
        if measure.name == SIGNING:
            kept = (
                run.facts["server_errors"] == 0
                and 0 <= run.facts["stored"] - run.facts["accepted"] <= args.connections
            )
            checks.append(("every accepted one stored, 0 errors", kept))
        if checks:
            measure.target = ", ".join(label for label, _ in checks)
            completed = measure.requests_per_second > 0
            measure.met = completed and measure.errors == 0 and all(ok for _, ok in checks)
    run.facts["export_met"] = run.facts["export_peak_mb"] < 150 and run.facts["export_seconds"] < 60


# ---------------------------------------------------------------------------
# The table


def machine():
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return (
        f"{os.cpu_count()} cores, {memory_kb / 1024 / 1024:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.machine()}"
    )


def table(runs, args):
    lines = [
        f"Machine: {machine()}. Signatures: {args.signatures:,}. wrk: 2 threads, "
        f"{args.connections} connections ({args.admin_connections} for admin pages), "
        f"{args.seconds} s a page, "
        f"{args.sign_seconds} s of signing. PostgreSQL runs with Redis as the shared cache. "
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        "“vs minimal”: requests/s as a share of the minimal Django's in the same run (its "
        "GET for pages, its POST + insert for signing); “vs our middleware”: as a share of "
        "the site's own middleware around an empty view.",
        "",
        "| Database | Measure | Requests/s | vs minimal | vs our middleware | p50 ms "
        "| p99 ms | p99 vs minimal | Errors | Target | Met |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for run in runs:
        in_site = next(m for m in run.measures if m.name == IN_SITE_BARE)
        for m in run.measures:
            reference = reference_for(run, m)
            met = "" if m.met is None else ("yes" if m.met else "**no**")
            versus_ours = (
                f"{m.requests_per_second / in_site.requests_per_second:.2f}"
                if reference.name == MINIMAL_GET and in_site.requests_per_second
                else ""
            )
            lines.append(
                f"| {run.backend} | {m.name} | {m.requests_per_second:,.0f} | "
                f"{m.requests_per_second / reference.requests_per_second:.2f} | {versus_ours} | "
                f"{m.p50_ms:.1f} | {m.p99_ms:.1f} | {m.p99_ms / reference.p99_ms:.1f} x | "
                f"{m.errors} | {m.target} | {met} |"
            )
    lines += ["", "| Database | Fact | Value | Target | Met |", "|---|---|---|---|---|"]
    for run in runs:
        f = run.facts
        in_flight = f["stored"] - f["accepted"]
        signing_kept = 0 <= in_flight <= args.connections and not f["server_errors"]
        facts = [
            (
                f"generate {args.signatures:,} signatures",
                f"{f['generate_seconds']:.1f} s",
                "well under 60 s",
                f["generate_seconds"] < 60,
            ),
            (
                "signing: accepted / stored / server errors",
                f"{f['accepted']:,} / {f['stored']:,} / {f['server_errors']}",
                "every accepted one stored once, 0 errors",
                signing_kept,
            ),
            (
                "signatures owed their email (no worker running)",
                f"{f['emails_queued']:,}",
                "one per stored signature",
                f["emails_queued"] == f["stored"],
            ),
            (
                f"{f['crowd']} people behind one address, each confirming "
                f"(default limit {f['default_limit']}): taken / counted",
                f"{f['crowd_taken']} / {f['crowd_counted']}",
                "all taken, all counted",
                f["crowd_taken"] == f["crowd_counted"] == f["crowd"],
            ),
            (
                f"one client sending {f['flood']} addresses nobody confirms: "
                "taken / refused (429) / stored",
                f"{f['flood_taken']} / {f['flood_refused']} / {f['flood_stored']}",
                f"stopped after {f['default_limit']}",
                f["flood_taken"] == f["flood_stored"] <= f["default_limit"]
                and f["flood_refused"] == f["flood"] - f["flood_taken"],
            ),
            (
                f"peak memory per gunicorn worker ({f['workers']} workers)",
                f"{f['worker_peak_mb']:.0f} MB",
                "",
                None,
            ),
            (
                "CSV export of every signature",
                f"{f['export_seconds']:.1f} s, peak {f['export_peak_mb']:.0f} MB",
                "< 60 s, < 150 MB",
                f["export_met"],
            ),
            (
                '"database is locked" in the server log',
                "**yes**" if f.get("database_locked") else "never",
                "never",
                not f.get("database_locked"),
            ),
        ]
        for fact, value, target, met in facts:
            verdict = "" if met is None else ("yes" if met else "**no**")
            lines.append(f"| {run.backend} | {fact} | {value} | {target} | {verdict} |")
    lines += [
        "",
        "Signing: wrk counts a response only if it arrives within the run; the requests "
        "still in flight when it stops (at most one per connection) are stored but not "
        "counted as accepted, so stored may exceed accepted by up to "
        f"{args.connections}. Every address is unique, and the database refuses a second "
        "signature per address, so none is stored twice.",
    ]
    return "\n".join(lines)


def write_docs(text, command):
    document = DOCS.read_text()
    block = f"{START}\nMade by `{command}`.\n\n{text}\n{END}"
    document = re.sub(
        rf"{re.escape(START)}.*?{re.escape(END)}", lambda _: block, document, flags=re.DOTALL
    )
    DOCS.write_text(document)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10, help="of load on each page")
    parser.add_argument("--sign-seconds", type=int, default=60, help="of sustained signing")
    parser.add_argument("--connections", type=int, default=32, help="for public pages")
    parser.add_argument("--admin-connections", type=int, default=2, help="for admin pages")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--crowd", type=int, default=200, help="people behind one address who confirm"
    )
    parser.add_argument(
        "--flood", type=int, default=60, help="addresses one client sends that nobody confirms"
    )
    parser.add_argument(
        "--workdir", default=str(ROOT / "var" / "bench"), help="its databases and logs"
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave docs/benchmarks.md"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure the last run's databases again, as they are"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    runs = []
    for backend in args.backends.split(","):
        print(f"== {backend}: {args.signatures:,} signatures", flush=True)
        runs.append(bench(backend, args))
    text = table(runs, args)
    print(text)
    if not args.no_write:
        arguments = " ".join(sys.argv[1:])
        write_docs(text, f'make bench BENCH_ARGS="{arguments}"' if arguments else "make bench")
        print(f"\nWritten to {DOCS.relative_to(ROOT)}")
    # Slow is reported in the table; a lost signature or a server error fails the run.
    lost = [
        r
        for r in runs
        if r.facts["server_errors"]
        or r.facts["stored"] < r.facts["accepted"]
        or r.facts["crowd_counted"] < r.facts["crowd"]
    ]
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
